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
