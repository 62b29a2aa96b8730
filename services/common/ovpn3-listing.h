/* ovpn3-listing.h — what the managers' listings share (configmgr's
 * FetchAvailableConfigs, LookupConfigName and SearchBy*; sessionmgr's
 * FetchAvailableSessions, FetchManagedInterfaces and Lookup*): the call kept
 * while polkit says whether the caller already holds manage-others. A
 * listing shows other users' objects only then and never prompts
 * (docs/security.md §6).
 *
 * A manager's own list call has an Ovpn3Listing as its first member.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

typedef struct
{
  gpointer manager; /* a reference */
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
  int kind;    /* the manager's own kinds of listing */
  char *value; /* the "(s)" argument; NULL without one */
} Ovpn3Listing;

/* Fills listing; takes the "(s)" argument of parameters when with_value. */
void ovpn3_listing_init(Ovpn3Listing *listing, gpointer manager, const Ovpn3Caller *caller,
                        int kind, gboolean with_value, GVariant *parameters,
                        GDBusMethodInvocation *invocation);
void ovpn3_listing_clear(Ovpn3Listing *listing);

/* Asks polkit for manage-others without interaction; callback reads the
 * answer with ovpn3_polkit_check_finish() (refused when polkit cannot be
 * asked). */
void ovpn3_listing_authorize(Ovpn3Listing *listing, GAsyncReadyCallback callback,
                             gpointer user_data);

G_END_DECLS
