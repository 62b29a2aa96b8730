/* ovpn3-names.h — every bus name, object path, interface, error name,
 * polkit action, environment variable and enum value of the OpenVPN 3
 * Linux D-Bus API (API level v27) in one place.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

/* ---- Bus names, interfaces, object paths (docs/dbus-api.md §1, §2) ---------------- */

#define OVPN3_BUS_PREFIX  "net.openvpn.v3."
#define OVPN3_PATH_PREFIX "/net/openvpn/v3/"

#define OVPN3_LOG_BUS_NAME          "net.openvpn.v3.log"
#define OVPN3_LOG_INTERFACE         "net.openvpn.v3.log"
#define OVPN3_LOG_PATH              "/net/openvpn/v3/log"
#define OVPN3_LOG_PROXY_PATH_PREFIX "/net/openvpn/v3/log/proxy/"

#define OVPN3_CONFIG_BUS_NAME    "net.openvpn.v3.configuration"
#define OVPN3_CONFIG_INTERFACE   "net.openvpn.v3.configuration"
#define OVPN3_CONFIG_PATH        "/net/openvpn/v3/configuration"
#define OVPN3_CONFIG_PATH_PREFIX "/net/openvpn/v3/configuration/"
/* Fleet profiles (README.md "Fleets"): loaded again by this manager method and on SIGHUP;
 * the group and keys of a NAME.conf beside NAME.ovpn. */
#define OVPN3_CONFIG_METHOD_RELOAD        "Reload"
#define OVPN3_CONFIG_METHOD_FETCH_PROPS   "FetchConfigsProperties" /* docs/compatibility.md §4 */
#define OVPN3_FLEET_GROUP_PROFILE         "profile"
#define OVPN3_FLEET_GROUP_OVERRIDES       "overrides"
#define OVPN3_FLEET_KEY_NAME              "name"
#define OVPN3_FLEET_KEY_TAGS              "tags"
#define OVPN3_FLEET_KEY_PUBLIC_ACCESS     "public-access"
#define OVPN3_FLEET_KEY_AUTOSTART         "autostart"
#define OVPN3_FLEET_KEY_ACL_USERS         "acl-users"
#define OVPN3_FLEET_KEY_ACL_GROUPS        "acl-groups"
#define OVPN3_FLEET_SESSION_UNIT_TEMPLATE "ovpn3-session@"

#define OVPN3_SESSIONS_BUS_NAME    "net.openvpn.v3.sessions"
#define OVPN3_SESSIONS_INTERFACE   "net.openvpn.v3.sessions"
#define OVPN3_SESSIONS_PATH        "/net/openvpn/v3/sessions"
#define OVPN3_SESSIONS_PATH_PREFIX "/net/openvpn/v3/sessions/"

#define OVPN3_BACKENDS_BUS_NAME  "net.openvpn.v3.backends"
#define OVPN3_BACKENDS_INTERFACE "net.openvpn.v3.backends"
#define OVPN3_BACKENDS_PATH      "/net/openvpn/v3/backends"
/* A backend client owns OVPN3_BACKEND_BUS_NAME_PREFIX "<pid>". */
#define OVPN3_BACKEND_BUS_NAME_PREFIX "net.openvpn.v3.backends.be"
#define OVPN3_BACKEND_SESSION_PATH    "/net/openvpn/v3/backends/session"

#define OVPN3_NETCFG_BUS_NAME    "net.openvpn.v3.netcfg"
#define OVPN3_NETCFG_INTERFACE   "net.openvpn.v3.netcfg"
#define OVPN3_NETCFG_PATH        "/net/openvpn/v3/netcfg"
#define OVPN3_NETCFG_PATH_PREFIX "/net/openvpn/v3/netcfg/"
/* netcfg to the session manager only (a unicast signal, no arguments): a default route
 * appeared (docs/architecture.md §5) */
#define OVPN3_NETCFG_SIGNAL_UPLINK "UplinkChanged"
/* netcfg's root-only setting `dns_backend` (docs/compatibility.md §4) and its values */
#define OVPN3_NETCFG_PROP_DNS_BACKEND        "dns_backend"
#define OVPN3_NETCFG_DNS_BACKEND_AUTO        "auto"
#define OVPN3_NETCFG_DNS_BACKEND_RESOLVED    "resolved"
#define OVPN3_NETCFG_DNS_BACKEND_RESOLV_CONF "resolv-conf"
/* the log service's root-only setting `log_destination`: these two, or an absolute file path */
#define OVPN3_LOG_PROP_DESTINATION     "log_destination"
#define OVPN3_LOG_DESTINATION_JOURNALD "journald"
#define OVPN3_LOG_DESTINATION_STDERR   "stderr"
/* AddDNSSearch: a domain with this prefix is routing-only (split DNS: its lookups go to
 * the tunnel's servers, it is not searched), systemd-resolved's own notation */
#define OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX "~"

/* Separator letters that replace '-' in generated UUID object ids (docs/dbus-api.md §1). */
#define OVPN3_ID_SEP_CONFIG    'x'
#define OVPN3_ID_SEP_SESSION   's'
#define OVPN3_ID_SEP_LOG_PROXY 'l'
#define OVPN3_ID_SEP_TOKEN     't'

/* ---- Introspection resources (one XML per object type) ----------------- */

#define OVPN3_INTROSPECTION_RESOURCE_PREFIX "/net/openvpn/v3/introspection/"
#define OVPN3_XML_CONFIG_MANAGER            "net.openvpn.v3.configuration.manager.xml"
#define OVPN3_XML_CONFIG_OBJECT             "net.openvpn.v3.configuration.config.xml"
#define OVPN3_XML_SESSIONS_MANAGER          "net.openvpn.v3.sessions.manager.xml"
#define OVPN3_XML_SESSION_OBJECT            "net.openvpn.v3.sessions.session.xml"
#define OVPN3_XML_LOG_MANAGER               "net.openvpn.v3.log.manager.xml"
#define OVPN3_XML_LOG_PROXY                 "net.openvpn.v3.log.proxy.xml"
#define OVPN3_XML_BACKENDS_MANAGER          "net.openvpn.v3.backends.manager.xml"
#define OVPN3_XML_BACKEND_CLIENT            "net.openvpn.v3.backends.client.xml"
#define OVPN3_XML_NETCFG_MANAGER            "net.openvpn.v3.netcfg.manager.xml"
#define OVPN3_XML_NETCFG_DEVICE             "net.openvpn.v3.netcfg.device.xml"

/* ---- Standard D-Bus names ---------------------------------------------- */

#define DBUS_NAME_BUS            "org.freedesktop.DBus"
#define DBUS_PATH_BUS            "/org/freedesktop/DBus"
#define DBUS_INTERFACE_BUS       "org.freedesktop.DBus"
#define DBUS_INTERFACE_PROPS     "org.freedesktop.DBus.Properties"
#define DBUS_ERROR_ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define DBUS_ERROR_INVALID_ARGS  "org.freedesktop.DBus.Error.InvalidArgs"
#define DBUS_ERROR_FAILED        "org.freedesktop.DBus.Error.Failed"

/* ---- Error names (docs/dbus-api.md §4, docs/compatibility.md §3: name = domain, '-' → '_') */

#define OVPN3_ERROR_NAME_READY           "net.openvpn.v3.error.ready"
#define OVPN3_ERROR_NAME_CLIENT          "net.openvpn.v3.error.client"
#define OVPN3_ERROR_NAME_BE_REGISTRATION "net.openvpn.v3.error.be_registration"
#define OVPN3_ERROR_NAME_LOG             "net.openvpn.v3.log.error"
#define OVPN3_ERROR_NAME_NETCFG          "net.openvpn.v3.netcfg.error"
#define OVPN3_ERROR_NAME_NETCFG_DEVICE   "net.openvpn.v3.netcfg.device.error"
#define OVPN3_ERROR_NAME_GDBUSPP         "net.openvpn.gdbuspp"
#define OVPN3_ERROR_NAME_REQUEST         "net.openvpn.gdbuspp.request"
/* upstream's CLI looks for it (UnsetOverride); upstream's services never send it */
#define OVPN3_ERROR_NAME_OVERRIDE_NOT_SET "net.openvpn.v3.error.OverrideNotSet"

/* ---- polkit actions ---------------------------------------------------- */

#define OVPN3_POLKIT_MANAGE_OTHERS      "net.openvpn.v3.manage-others"
#define OVPN3_POLKIT_PRIVILEGED_OPTIONS "net.openvpn.v3.profile.privileged-options"
#define OVPN3_POLKIT_START_HOST_WIDE    "net.openvpn.v3.session.start-host-wide"
#define POLKIT_BUS_NAME                 "org.freedesktop.PolicyKit1"

/* ---- systemd-resolved (netcfg's DNS back end) --------------------------- */

#define RESOLVED_BUS_NAME  "org.freedesktop.resolve1"
#define RESOLVED_PATH      "/org/freedesktop/resolve1"
#define RESOLVED_INTERFACE "org.freedesktop.resolve1.Manager"

/* ---- systemd-logind (sessionmgr's sleep watch, docs/architecture.md §5) ---- */

#define LOGIN1_BUS_NAME  "org.freedesktop.login1"
#define LOGIN1_PATH      "/org/freedesktop/login1"
#define LOGIN1_INTERFACE "org.freedesktop.login1.Manager"

/* The profile override that turns off the pause before sleep and the restart after a
 * resume or an uplink change (boolean, default on). */
#define OVPN3_OVERRIDE_RECONNECT "reconnect-on-network-change"

/* ---- Environment variables --------------------------------------------- */

/* Overrides every service's idle-exit timeout (seconds; 0 = never). */
#define OVPN3_ENV_IDLE_EXIT "OVPN3_IDLE_EXIT"
/* Names the backend client binary backendstart spawns (absolute path);
 * tests point it at stand-ins. Default: next to backendstart. */
#define OVPN3_ENV_CLIENT_BINARY "OVPN3_CLIENT_BINARY"
/* Overrides the state directory (tests); systemd's STATE_DIRECTORY too. */
#define OVPN3_ENV_STATE_DIR "OVPN3_STATE_DIR"
/* Overrides netcfg's persistent state directory (tests; netcfg-store.h). */
#define OVPN3_ENV_NETCFG_STATE_DIR "OVPN3_NETCFG_STATE_DIR"
/* Test switches, honoured only in builds with -Dtest_switches=true: the
 * program backend clients run instead of openvpn (absolute path), and "1" to
 * run it as the service user instead of an engine uid of its own. */
#define OVPN3_ENV_TEST_OPENVPN_BINARY         "OVPN3_TEST_OPENVPN_BINARY"
#define OVPN3_ENV_TEST_ENGINE_AS_SERVICE_USER "OVPN3_TEST_ENGINE_AS_SERVICE_USER"
/* Test switch: configmgr's stored-bytes quotas, "<per-user>:<total>" bytes
 * (ovpn3-quota.h has the real ones). */
#define OVPN3_ENV_TEST_CONFIG_QUOTA "OVPN3_TEST_CONFIG_QUOTA"
/* Test switch: how long a session whose login failed waits for new credentials
 * (seconds; auth-fail-retry, services/client/README.md). */
#define OVPN3_ENV_TEST_AUTH_RETRY_S "OVPN3_TEST_AUTH_RETRY_S"
/* Test switch: how long a backend client waits for RegistrationConfirmation before it
 * exits (seconds; services/client/README.md). */
#define OVPN3_ENV_TEST_REGISTRATION_TIMEOUT_S "OVPN3_TEST_REGISTRATION_TIMEOUT_S"

/* The session manager's state (services/sessionmgr/session-state-store.h): the live sessions,
 * for a restarted session manager to take back; the service user's, 0700. */
#define OVPN3_SESSIONMGR_STATE_DIR  OVPN3_RUNTIMEDIR "/sessionmgr"
#define OVPN3_SESSIONMGR_STATE_FILE "sessions.json"

/* ---- Engine uids (docs/security.md §3) -------------------------------------------- */

/* One flock()ed file per engine uid in use, held by its backend client. */
#define OVPN3_ENGINE_LOCK_DIR OVPN3_RUNTIMEDIR "/engines"

/* ---- Enums (docs/dbus-api.md §5), all sent as 'u' unless noted --------------------- */

typedef enum
{
  OVPN3_STATUS_MAJOR_UNSET = 0,
  OVPN3_STATUS_MAJOR_CONFIG = 1,
  OVPN3_STATUS_MAJOR_CONNECTION = 2,
  OVPN3_STATUS_MAJOR_SESSION = 3,
  OVPN3_STATUS_MAJOR_PKCS11 = 4,
  OVPN3_STATUS_MAJOR_PROCESS = 5,
} Ovpn3StatusMajor;

typedef enum
{
  OVPN3_STATUS_MINOR_UNSET = 0,
  OVPN3_STATUS_MINOR_CFG_ERROR = 1,
  OVPN3_STATUS_MINOR_CFG_OK = 2,
  OVPN3_STATUS_MINOR_CFG_INLINE_MISSING = 3,
  OVPN3_STATUS_MINOR_CFG_REQUIRE_USER = 4,
  OVPN3_STATUS_MINOR_CONN_INIT = 5,
  OVPN3_STATUS_MINOR_CONN_CONNECTING = 6,
  OVPN3_STATUS_MINOR_CONN_CONNECTED = 7,
  OVPN3_STATUS_MINOR_CONN_DISCONNECTING = 8,
  OVPN3_STATUS_MINOR_CONN_DISCONNECTED = 9,
  OVPN3_STATUS_MINOR_CONN_FAILED = 10,
  OVPN3_STATUS_MINOR_CONN_AUTH_FAILED = 11,
  OVPN3_STATUS_MINOR_CONN_RECONNECTING = 12,
  OVPN3_STATUS_MINOR_CONN_PAUSING = 13,
  OVPN3_STATUS_MINOR_CONN_PAUSED = 14,
  OVPN3_STATUS_MINOR_CONN_RESUMING = 15,
  OVPN3_STATUS_MINOR_CONN_DONE = 16,
  OVPN3_STATUS_MINOR_SESS_NEW = 17,
  OVPN3_STATUS_MINOR_SESS_BACKEND_COMPLETED = 18,
  OVPN3_STATUS_MINOR_SESS_REMOVED = 19,
  OVPN3_STATUS_MINOR_SESS_AUTH_USERPASS = 20,
  OVPN3_STATUS_MINOR_SESS_AUTH_CHALLENGE = 21,
  OVPN3_STATUS_MINOR_SESS_AUTH_URL = 22,
  OVPN3_STATUS_MINOR_PKCS11_SIGN = 23,
  OVPN3_STATUS_MINOR_PKCS11_ENCRYPT = 24,
  OVPN3_STATUS_MINOR_PKCS11_DECRYPT = 25,
  OVPN3_STATUS_MINOR_PKCS11_VERIFY = 26,
  OVPN3_STATUS_MINOR_PROC_STARTED = 27,
  OVPN3_STATUS_MINOR_PROC_STOPPED = 28,
  OVPN3_STATUS_MINOR_PROC_KILLED = 29,
} Ovpn3StatusMinor;

typedef enum
{
  OVPN3_ATTENTION_TYPE_UNSET = 0,
  OVPN3_ATTENTION_TYPE_CREDENTIALS = 1,
  OVPN3_ATTENTION_TYPE_PKCS11 = 2,
  OVPN3_ATTENTION_TYPE_ACCESS_PERM = 3,
} Ovpn3AttentionType;

typedef enum
{
  OVPN3_ATTENTION_GROUP_UNSET = 0,
  OVPN3_ATTENTION_GROUP_USER_PASSWORD = 1,
  OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS = 2,
  OVPN3_ATTENTION_GROUP_PK_PASSPHRASE = 3,
  OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC = 4,
  OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC = 5,
  OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING = 6,
  OVPN3_ATTENTION_GROUP_PKCS11_SIGN = 7,
  OVPN3_ATTENTION_GROUP_PKCS11_DECRYPT = 8,
  OVPN3_ATTENTION_GROUP_OPEN_URL = 9,
} Ovpn3AttentionGroup;

typedef enum
{
  OVPN3_LOG_GROUP_UNDEFINED = 0,
  OVPN3_LOG_GROUP_MASTERPROC = 1,
  OVPN3_LOG_GROUP_CONFIGMGR = 2,
  OVPN3_LOG_GROUP_SESSIONMGR = 3,
  OVPN3_LOG_GROUP_BACKENDSTART = 4,
  OVPN3_LOG_GROUP_LOGGER = 5,
  OVPN3_LOG_GROUP_BACKENDPROC = 6,
  OVPN3_LOG_GROUP_CLIENT = 7,
  OVPN3_LOG_GROUP_NETCFG = 8,
  OVPN3_LOG_GROUP_EXTSERVICE = 9,
} Ovpn3LogGroup;
#define OVPN3_LOG_GROUP_LAST OVPN3_LOG_GROUP_EXTSERVICE

typedef enum
{
  OVPN3_LOG_CATEGORY_UNDEFINED = 0,
  OVPN3_LOG_CATEGORY_DEBUG = 1,
  OVPN3_LOG_CATEGORY_VERB2 = 2,
  OVPN3_LOG_CATEGORY_VERB1 = 3,
  OVPN3_LOG_CATEGORY_INFO = 4,
  OVPN3_LOG_CATEGORY_WARN = 5,
  OVPN3_LOG_CATEGORY_ERROR = 6,
  OVPN3_LOG_CATEGORY_CRIT = 7,
  OVPN3_LOG_CATEGORY_FATAL = 8,
} Ovpn3LogCategory;
#define OVPN3_LOG_CATEGORY_LAST OVPN3_LOG_CATEGORY_FATAL

/* Log levels 0–6 (docs/dbus-api.md §5); values above are rejected. */
#define OVPN3_LOG_LEVEL_MAX     6
#define OVPN3_LOG_LEVEL_DEFAULT 3

/* SessionManager / ConfigManager event types, sent as 'q'. */
typedef enum
{
  OVPN3_SESSION_EVENT_UNSET = 0,
  OVPN3_SESSION_EVENT_CREATED = 1,
  OVPN3_SESSION_EVENT_DESTROYED = 2,
} Ovpn3SessionEventType;

typedef enum
{
  OVPN3_CONFIG_EVENT_UNSET = 0,
  OVPN3_CONFIG_EVENT_CREATED = 1,
  OVPN3_CONFIG_EVENT_DESTROYED = 2,
} Ovpn3ConfigEventType;

/* NetCfgChangeType bit flags. */
typedef enum
{
  OVPN3_NETCFG_CHANGE_UNSET = 0,
  OVPN3_NETCFG_CHANGE_DEVICE_ADDED = 1 << 0,
  OVPN3_NETCFG_CHANGE_DEVICE_REMOVED = 1 << 1,
  OVPN3_NETCFG_CHANGE_IPADDR_ADDED = 1 << 2,
  OVPN3_NETCFG_CHANGE_IPADDR_REMOVED = 1 << 3,
  OVPN3_NETCFG_CHANGE_ROUTE_ADDED = 1 << 4,
  OVPN3_NETCFG_CHANGE_ROUTE_REMOVED = 1 << 5,
  OVPN3_NETCFG_CHANGE_ROUTE_EXCLUDED = 1 << 6,
  OVPN3_NETCFG_CHANGE_DNS_SERVER_ADDED = 1 << 7,
  OVPN3_NETCFG_CHANGE_DNS_SERVER_REMOVED = 1 << 8,
  OVPN3_NETCFG_CHANGE_DNS_SEARCH_ADDED = 1 << 9,
  OVPN3_NETCFG_CHANGE_DNS_SEARCH_REMOVED = 1 << 10,
} Ovpn3NetcfgChangeType;
#define OVPN3_NETCFG_CHANGE_ALL 2047u

/* String enums. */
#define OVPN3_DNS_SCOPE_GLOBAL "global"
#define OVPN3_DNS_SCOPE_TUNNEL "tunnel"

/* The profile override (docs/dbus-api.md §9.2, boolean, default on here): a session whose
 * login failed waits for new credentials (at most OVPN3_CLIENT_AUTH_RETRY_S) instead of ending. */
#define OVPN3_OVERRIDE_AUTH_FAIL_RETRY "auth-fail-retry"

/* Keys of the `statistics` property (docs/dbus-api.md §7.6: the OpenVPN 3 core's
 * SessionStats names). PACKETS_IN/PACKETS_OUT are never reported: openvpn 2.6
 * counts no link packets. */
#define OVPN3_STAT_BYTES_IN        "BYTES_IN"
#define OVPN3_STAT_BYTES_OUT       "BYTES_OUT"
#define OVPN3_STAT_TUN_BYTES_IN    "TUN_BYTES_IN"
#define OVPN3_STAT_TUN_BYTES_OUT   "TUN_BYTES_OUT"
#define OVPN3_STAT_TUN_PACKETS_IN  "TUN_PACKETS_IN"
#define OVPN3_STAT_TUN_PACKETS_OUT "TUN_PACKETS_OUT"
#define OVPN3_STAT_N_RECONNECT     "N_RECONNECT"
#define OVPN3_STAT_N_PAUSE         "N_PAUSE"
