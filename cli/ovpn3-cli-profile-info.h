/* ovpn3-cli-profile-info.h — a profile's properties (one GetAll) as JSON and as text
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ovpn3-cli.h"
#include "ovpn3-cli-output.h"

G_BEGIN_DECLS

/* The documented JSON object of a profile (ovpn3(1) "JSON OUTPUT"): path, name, owner,
 * owner_name, tags, import_timestamp, last_used_timestamp, used_count, persistent, single_use,
 * sealed, locked_down, public_access, transfer_owner_session, dco, valid, acl, overrides.
 * Members the service did not let the caller read are null.  @props: the GetAll a{sv}. */
JsonObject *ovpn3_profile_info_json(const char *path, GVariant *props);

/* The properties of a profile the CLI shows, each decoded once from a GetAll dictionary
 * (one pass over it, not one lookup per property): the values, NULL where absent. */
typedef enum
{
  OVPN3_PROFILE_OWNER,
  OVPN3_PROFILE_NAME,
  OVPN3_PROFILE_ACL,
  OVPN3_PROFILE_PUBLIC_ACCESS,
  OVPN3_PROFILE_SINGLE_USE,
  OVPN3_PROFILE_PERSISTENT,
  OVPN3_PROFILE_IMPORT_TIMESTAMP,
  OVPN3_PROFILE_LAST_USED_TIMESTAMP,
  OVPN3_PROFILE_LOCKED_DOWN,
  OVPN3_PROFILE_READONLY,
  OVPN3_PROFILE_TAGS,
  OVPN3_PROFILE_USED_COUNT,
  OVPN3_PROFILE_VALID,
  OVPN3_PROFILE_OVERRIDES,
  OVPN3_PROFILE_TRANSFER_OWNER_SESSION,
  OVPN3_PROFILE_DCO,
  OVPN3_PROFILE_N_PROPS,
} Ovpn3ProfileProp;

typedef struct
{
  GVariant *v[OVPN3_PROFILE_N_PROPS]; /* owned; NULL: not readable or of another type */
} Ovpn3ProfileProps;

/* @dict: an a{sv} or NULL. */
void ovpn3_profile_props_init(Ovpn3ProfileProps *p, GVariant *dict);
void ovpn3_profile_props_clear(Ovpn3ProfileProps *p);
/* The value's string, or NULL. */
const char *ovpn3_profile_props_str(const Ovpn3ProfileProps *p, Ovpn3ProfileProp which);
/* As ovpn3_profile_info_json(), ovpn3_profile_info_flags() and ovpn3_profile_info_tags(). */
JsonObject *ovpn3_profile_props_json(const char *path, const Ovpn3ProfileProps *p);
char *ovpn3_profile_props_flags(const Ovpn3ProfileProps *p);
char *ovpn3_profile_props_tags(const Ovpn3ProfileProps *p);

/* Comma-separated words for the flags set: persistent, single-use, sealed, locked-down, public,
 * invalid; NULL when none. */
char *ovpn3_profile_info_flags(GVariant *props);
/* "tag1, tag2" or NULL. */
char *ovpn3_profile_info_tags(GVariant *props);
/* "alice (1000), bob (1001)" or NULL. */
char *ovpn3_profile_info_acl(GVariant *props);
/* "yes" / "no" / NULL (not readable). */
const char *ovpn3_profile_info_yesno(GVariant *props, const char *key);
/* "key=value, …" or NULL. */
char *ovpn3_profile_info_overrides(GVariant *props);

G_END_DECLS
