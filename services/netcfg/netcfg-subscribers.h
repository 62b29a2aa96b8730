/* netcfg-subscribers.h — NetworkChange subscriptions of the netcfg manager
 * (NotificationSubscribe, NotificationUnsubscribe, NotificationSubscriberList;
 * docs/dbus-api.md §3.5): one filter per unique bus name, dropped when the
 * name leaves the bus; signals go unicast to each subscriber whose filter
 * has the change type.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "ovpn3-names.h"

G_BEGIN_DECLS

typedef struct _NetcfgSubscribers NetcfgSubscribers;

NetcfgSubscribers *netcfg_subscribers_new(GDBusConnection *connection);
void netcfg_subscribers_free(NetcfgSubscribers *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetcfgSubscribers, netcfg_subscribers_free)

/* NetworkChange(type, device_name, details) from device_path; details is an
 * a{ss} (floating ok). */
void netcfg_subscribers_emit(NetcfgSubscribers *self, const char *device_path,
                             const char *device_name, Ovpn3NetcfgChangeType type,
                             GVariant *details);

/* The three methods; each answers the invocation. */
void netcfg_subscribers_subscribe(NetcfgSubscribers *self, const Ovpn3Caller *caller,
                                  GVariant *params, GDBusMethodInvocation *invocation);
void netcfg_subscribers_unsubscribe(NetcfgSubscribers *self, const Ovpn3Caller *caller,
                                    GVariant *params, GDBusMethodInvocation *invocation);
void netcfg_subscribers_list(NetcfgSubscribers *self, GDBusMethodInvocation *invocation);

G_END_DECLS
