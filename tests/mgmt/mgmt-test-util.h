/* Shared by the mgmt unit tests and the integration driver. */
#pragma once

#include <json-glib/json-glib.h>

#include "ovpn3-mgmt-client.h"

/* Every set field of the event, with a stable member order (ENV keys sorted). */
JsonNode *mgmt_test_event_to_json(const Ovpn3MgmtEvent *event);
gchar *mgmt_test_event_to_string(const Ovpn3MgmtEvent *event);
/* {"status":…, "lines":[…]} or {"error":"<domain>:<code>:<message>"} */
gchar *mgmt_test_result_to_string(const Ovpn3MgmtResponse *response, const GError *error);
