/* client-service.h — the backend client service: ovpn3-service-client
 * [--log-level N] [--log-stderr] <token>, owning net.openvpn.v3.backends.be<PID>.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-service.h"

G_BEGIN_DECLS

/* Fills desc (bus name be<getpid()>) and runs the service. */
int ovpn3_client_service_main(int argc, char **argv);

G_END_DECLS
