/* ovpn3-net-settings-private.h — helpers shared by the two halves of the
 * pushed-settings parser (ovpn3-net-settings.c: addresses, routes, MTU;
 * ovpn3-net-settings-dns.c: DNS). Not for use outside them. */
#pragma once

#include <glib.h>

#include "ovpn3-net-settings.h"

G_BEGIN_DECLS

void ovpn3_net_settings_refuse(GPtrArray *refusals, const char *format, ...) G_GNUC_PRINTF(2, 3);
const char *ovpn3_net_settings_env_get(GHashTable *env, const char *key);
const char *ovpn3_net_settings_env_getf(GHashTable *env, const char *format, ...)
    G_GNUC_PRINTF(2, 3);

/* Reads the DNS part of an >UPDOWN:UP environment into s (docs/architecture.md §6). */
void ovpn3_net_settings_add_dns(Ovpn3NetSettings *s, GHashTable *env, GPtrArray *refusals);

G_END_DECLS
