/* sessionmgr-service.h — how ovpn3-service-sessionmgr starts and stops.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-service.h"

extern const Ovpn3ServiceDesc ovpn3_sessionmgr_service;
