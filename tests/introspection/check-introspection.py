#!/usr/bin/python3
"""Compare introspection/*.xml with the hand transcription of upstream's tables.

Usage: check-introspection.py SPEC_TABLES XML_DIR

SPEC_TABLES is tests/data/spec/dbus-api-v27.txt (a transcription of the
OpenVPN 3 Linux v27 D-Bus API, docs/dbus-api.md §3). XML_DIR holds the ten
net.openvpn.v3.<object>.xml files. Every member, argument name, signature,
property type and access must match. The only differences allowed are the
ovpn3 decisions of docs/compatibility.md, coded in expected_members():

  * a property upstream declares as one type but sends as another (DECL/SENT
    in the tables) is declared with the type that is sent;
  * members upstream registers only in DCO builds (build=dco) are absent,
    because ovpn3 has no DCO;
  * every manager object has an extra read-only `implementation` (s);
  * the netcfg device has an extra `engine_uid` (u, readwrite): the backend
    client names its session's engine uid, which owns the tun device
    (docs/security.md §2; see services/netcfg/README.md);
  * the session manager has an extra method `LookupBackend` (unique_name:s
    -> session_path:o, config_path:o, owner:u, backend_pid:u), callable by
    the service user only: configmgr, the log service and netcfg ask it which
    session a backend client serves (docs/security.md §5, "The service user is then
    narrowed"; see services/sessionmgr/README.md);
  * the backend client has an extra `host_wide` (b, readwrite): the session
    manager hands over its polkit answer for
    net.openvpn.v3.session.start-host-wide (docs/security.md §6);
  * the configuration manager has extra methods `Reload` (fleet profiles)
    and `FetchConfigsProperties` (name:s, tag:s, owner:s -> configs:a(oa{sv})):
    a listing with each profile's GetAll dictionary, for ovpn3's CLI;
  * the log manager has an extra `log_destination` (s, readwrite) and the
    netcfg manager an extra `dns_backend` (s, readwrite), both root's
    settings (docs/compatibility.md §4).

It also checks what dbus-python and GDBus need to be happy: each file parses
with Gio.DBusNodeInfo, has exactly one interface and no child nodes, every
name is a valid D-Bus name, every type is one complete D-Bus type, there are
no duplicate members or duplicate argument names, and dbus-python's own
introspection parser reads the same input signatures.
"""

import os
import sys
import unittest

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

from dbus._expat_introspect_parser import process_introspection_data  # noqa: E402

SPEC_TABLES = None
XML_DIR = None

# docs/compatibility.md: the only member ovpn3 adds, on every manager object.
IMPLEMENTATION_PROP = ("property", "implementation", ("s", "read"))
# The engine's uid, set by the backend client before `layer` (trust domains).
ENGINE_UID_PROP = ("property", "engine_uid", ("u", "readwrite"))
# Which session a backend client serves, for ovpn3's services (docs/security.md §5).
LOOKUP_BACKEND_METHOD = ("method", "LookupBackend", (
    (("unique_name", "s"),),
    (("session_path", "o"), ("config_path", "o"), ("owner", "u"), ("backend_pid", "u"))))
# The session manager's start-host-wide answer, set before RegistrationConfirmation.
HOST_WIDE_PROP = ("property", "host_wide", ("b", "readwrite"))
# Fleet profiles loaded again from their files (root or manage-others).
RELOAD_METHOD = ("method", "Reload", ((), (("refused", "as"),)))
# The listing with each profile's GetAll dictionary, for ovpn3's CLI (docs/compatibility.md §4).
FETCH_PROPS_METHOD = ("method", "FetchConfigsProperties", (
    (("name", "s"), ("tag", "s"), ("owner", "s")), (("configs", "a(oa{sv})"),)))
# Administrator settings (root only, docs/compatibility.md §4): where the log
# service writes, which DNS backend netcfg uses.
LOG_DESTINATION_PROP = ("property", "log_destination", ("s", "readwrite"))
DNS_BACKEND_PROP = ("property", "dns_backend", ("s", "readwrite"))

# Object keys of the ten XML files (= file stem without the interface prefix).
OBJECT_KEYS = [
    "configuration.manager",
    "configuration.config",
    "sessions.manager",
    "sessions.session",
    "log.manager",
    "log.proxy",
    "backends.manager",
    "backends.client",
    "netcfg.manager",
    "netcfg.device",
]


class SpecError(Exception):
    pass


def parse_args_field(field, where):
    """'a:s,b:u' -> (('a', 's'), ('b', 'u')); '-' -> ()."""
    if field == "-":
        return ()
    out = []
    for item in field.split(","):
        name, sep, sig = item.partition(":")
        if not sep or not name or not sig:
            raise SpecError(f"{where}: bad argument '{item}'")
        out.append((name, sig))
    return tuple(out)


def parse_spec(text):
    """Parse the transcription into {key: {"interface": str, "members": [...]}}.

    Each member is a dict with kind, name, and kind-specific fields:
      method:   in, out (tuples of (name, type)), flags (set)
      signal:   args
      property: decl, sent, access
    """
    objects = {}
    current = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {lineno}"
        f = line.split()
        kind = f[0]
        if kind == "object":
            if len(f) != 3:
                raise SpecError(f"{where}: object needs <key> <interface>")
            if f[1] in objects:
                raise SpecError(f"{where}: object {f[1]} listed twice")
            current = {"interface": f[2], "members": []}
            objects[f[1]] = current
            continue
        if current is None:
            raise SpecError(f"{where}: member before any object line")
        if kind == "method":
            if len(f) < 4:
                raise SpecError(f"{where}: method needs <Name> <in> <out>")
            flags = set(f[4:])
            for flag in flags:
                if flag != "build=dco":
                    raise SpecError(f"{where}: unknown flag {flag}")
            current["members"].append({
                "kind": "method", "name": f[1],
                "in": parse_args_field(f[2], where),
                "out": parse_args_field(f[3], where),
                "flags": flags})
        elif kind == "signal":
            if len(f) != 3:
                raise SpecError(f"{where}: signal needs <Name> <args>")
            current["members"].append({
                "kind": "signal", "name": f[1],
                "args": parse_args_field(f[2], where)})
        elif kind == "property":
            if len(f) != 4 or f[3] not in ("read", "readwrite", "write"):
                raise SpecError(f"{where}: property needs <name> <type> <access>")
            decl, _, sent = f[2].partition("/")
            current["members"].append({
                "kind": "property", "name": f[1],
                "decl": decl, "sent": sent or decl, "access": f[3]})
        else:
            raise SpecError(f"{where}: unknown record '{kind}'")
    return objects


def expected_members(key, spec_obj):
    """Apply the docs/compatibility.md decisions to one transcribed object.

    Returns {(kind, name): detail} where detail is (in, out) for methods,
    args for signals and (type, access) for properties.
    """
    exp = {}
    for m in spec_obj["members"]:
        k = (m["kind"], m["name"])
        if k in exp:
            raise SpecError(f"{key}: {m['kind']} {m['name']} transcribed twice")
        if m["kind"] == "method":
            if "build=dco" in m["flags"]:
                continue  # ovpn3 is a non-DCO build
            exp[k] = (m["in"], m["out"])
        elif m["kind"] == "signal":
            exp[k] = m["args"]
        else:
            # "we declare and send what clients read" = the sent type
            exp[k] = (m["sent"], m["access"])
    if key.endswith(".manager"):
        kind, name, detail = IMPLEMENTATION_PROP
        exp[(kind, name)] = detail
    if key == "netcfg.device":
        kind, name, detail = ENGINE_UID_PROP
        exp[(kind, name)] = detail
    if key == "sessions.manager":
        kind, name, detail = LOOKUP_BACKEND_METHOD
        exp[(kind, name)] = detail
    if key == "backends.client":
        kind, name, detail = HOST_WIDE_PROP
        exp[(kind, name)] = detail
    if key == "configuration.manager":
        for kind, name, detail in (RELOAD_METHOD, FETCH_PROPS_METHOD):
            exp[(kind, name)] = detail
    if key == "log.manager":
        kind, name, detail = LOG_DESTINATION_PROP
        exp[(kind, name)] = detail
    if key == "netcfg.manager":
        kind, name, detail = DNS_BACKEND_PROP
        exp[(kind, name)] = detail
    return exp


def is_one_dbus_type(sig):
    return (GLib.Variant.is_signature(sig)
            and GLib.VariantType.string_is_valid(sig))


def access_of(pinfo):
    r = bool(pinfo.flags & Gio.DBusPropertyInfoFlags.READABLE)
    w = bool(pinfo.flags & Gio.DBusPropertyInfoFlags.WRITABLE)
    return {(True, False): "read", (True, True): "readwrite",
            (False, True): "write"}.get((r, w), "none")


def xml_members(xml_text, problems):
    """Parse one XML file; return (interface_name, {(kind, name): detail}).

    Structural problems (syntax, names, types, duplicates) go to problems.
    """
    try:
        node = Gio.DBusNodeInfo.new_for_xml(xml_text)
    except GLib.Error as e:
        problems.append(f"does not parse: {e.message}")
        return None, {}
    if len(node.interfaces) != 1:
        problems.append(f"{len(node.interfaces)} interfaces, want exactly 1")
        return None, {}
    if node.nodes:
        problems.append("has child <node> elements")
    iface = node.interfaces[0]
    if not Gio.dbus_is_interface_name(iface.name):
        problems.append(f"invalid interface name {iface.name!r}")

    found = {}

    def add(kind, name, detail):
        if not Gio.dbus_is_member_name(name):
            problems.append(f"invalid {kind} name {name!r}")
        if (kind, name) in found:
            problems.append(f"duplicate {kind} {name}")
        found[(kind, name)] = detail

    def args_of(args, what):
        out = []
        seen = set()
        for a in args or []:
            if not a.name:
                problems.append(f"{what}: unnamed argument")
            elif a.name in seen:
                problems.append(f"{what}: duplicate argument name {a.name}")
            seen.add(a.name)
            if not is_one_dbus_type(a.signature):
                problems.append(f"{what}: {a.name}: invalid type {a.signature!r}")
            out.append((a.name, a.signature))
        return tuple(out)

    for m in iface.methods:
        add("method", m.name, (args_of(m.in_args, f"method {m.name} in"),
                               args_of(m.out_args, f"method {m.name} out")))
    for s in iface.signals:
        add("signal", s.name, args_of(s.args, f"signal {s.name}"))
    for p in iface.properties:
        if not is_one_dbus_type(p.signature):
            problems.append(f"property {p.name}: invalid type {p.signature!r}")
        add("property", p.name, (p.signature, access_of(p)))
    return iface.name, found


def fmt(kind, name, detail):
    if kind == "method":
        i, o = detail
        return (f"method {name}({', '.join(f'{n}:{t}' for n, t in i)})"
                f" -> ({', '.join(f'{n}:{t}' for n, t in o)})")
    if kind == "signal":
        return f"signal {name}({', '.join(f'{n}:{t}' for n, t in detail)})"
    return f"property {name} {detail[0]} {detail[1]}"


def compare(expected, found):
    """Return human-readable differences between two member maps."""
    diffs = []
    for k in sorted(set(expected) - set(found)):
        diffs.append(f"missing: {fmt(*k, expected[k])}")
    for k in sorted(set(found) - set(expected)):
        diffs.append(f"not in spec: {fmt(*k, found[k])}")
    for k in sorted(set(expected) & set(found)):
        if expected[k] != found[k]:
            diffs.append(f"differs: spec {fmt(*k, expected[k])}"
                         f" / xml {fmt(*k, found[k])}")
    return diffs


def xml_path(key):
    return os.path.join(XML_DIR, f"net.openvpn.v3.{key}.xml")


def load_spec():
    with open(SPEC_TABLES, encoding="utf-8") as f:
        return parse_spec(f.read())


class TestIntrospectionMatchesSpec(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.spec = load_spec()

    def test_spec_covers_the_ten_objects(self):
        self.assertEqual(sorted(self.spec), sorted(OBJECT_KEYS))

    def test_each_xml_matches_spec(self):
        for key in OBJECT_KEYS:
            with self.subTest(object=key):
                with open(xml_path(key), encoding="utf-8") as f:
                    text = f.read()
                problems = []
                iface, found = xml_members(text, problems)
                self.assertEqual(problems, [], f"{key}: structural problems")
                self.assertEqual(iface, self.spec[key]["interface"])
                diffs = compare(expected_members(key, self.spec[key]), found)
                self.assertEqual(diffs, [], f"{key}: differs from spec tables")

    def test_dbus_python_reads_same_in_signatures(self):
        # dbus-python introspects before the first call and marshals the
        # arguments with the in-signature its own parser extracts.
        for key in OBJECT_KEYS:
            with self.subTest(object=key):
                with open(xml_path(key), encoding="utf-8") as f:
                    got = process_introspection_data(f.read())
                iface = self.spec[key]["interface"]
                want = {}
                for (kind, name), detail in expected_members(
                        key, self.spec[key]).items():
                    if kind == "method":
                        want[f"{iface}.{name}"] = "".join(t for _, t in detail[0])
                self.assertEqual(got, want)


class TestCheckerCatchesDifferences(unittest.TestCase):
    """The comparison must notice each kind of mistake."""

    maxDiff = None

    XML = """<node><interface name="net.openvpn.v3.x">
      <method name="M"><arg type="s" name="a" direction="in"/>
        <arg type="o" name="r" direction="out"/></method>
      <signal name="S"><arg type="u" name="g"/></signal>
      <property type="u" name="p" access="readwrite"/>
    </interface></node>"""
    SPEC = """object x.child net.openvpn.v3.x
method M a:s r:o
signal S g:u
property p u readwrite
"""

    def check(self, xml, spec, key="x.child"):
        problems = []
        _, found = xml_members(xml, problems)
        exp = expected_members(key, parse_spec(spec)[key])
        return problems + compare(exp, found)

    def test_identical_passes(self):
        self.assertEqual(self.check(self.XML, self.SPEC), [])

    def test_detects(self):
        cases = {
            "missing member": self.XML.replace('<signal name="S"><arg type="u" name="g"/></signal>', ""),
            "extra member": self.XML.replace("</interface>", '<method name="X"/></interface>'),
            "arg name": self.XML.replace('name="a"', 'name="b"'),
            "arg type": self.XML.replace('type="o" name="r"', 'type="s" name="r"'),
            "arg direction": self.XML.replace('name="a" direction="in"', 'name="a" direction="out"'),
            "signal arg": self.XML.replace('type="u" name="g"', 'type="i" name="g"'),
            "prop type": self.XML.replace('type="u" name="p"', 'type="q" name="p"'),
            "prop access": self.XML.replace('access="readwrite"', 'access="read"'),
            "bad type": self.XML.replace('type="o" name="r"', 'type="a{sv" name="r"'),
            "two types": self.XML.replace('type="o" name="r"', 'type="ss" name="r"'),
            "maybe type": self.XML.replace('type="o" name="r"', 'type="ms" name="r"'),
            "duplicate": self.XML.replace("</interface>", '<method name="M"/></interface>'),
            "bad xml": self.XML.replace("</node>", ""),
        }
        for what, xml in cases.items():
            with self.subTest(case=what):
                self.assertNotEqual(self.check(xml, self.SPEC), [], what)

    def test_rules(self):
        # DECL/SENT: the sent type is expected.
        spec = self.SPEC.replace("property p u readwrite", "property p s/u readwrite")
        self.assertEqual(self.check(self.XML, spec), [])
        spec = self.SPEC.replace("property p u readwrite", "property p u/s readwrite")
        self.assertNotEqual(self.check(self.XML, spec), [])
        # build=dco members must be absent.
        spec = self.SPEC + "method D - - build=dco\n"
        self.assertEqual(self.check(self.XML, spec), [])
        xml = self.XML.replace("</interface>", '<method name="D"/></interface>')
        self.assertNotEqual(self.check(xml, spec), [])
        # `implementation` only on managers, and required there.
        spec = self.SPEC.replace("x.child", "x.manager")
        self.assertNotEqual(self.check(self.XML, spec, "x.manager"), [])
        xml = self.XML.replace(
            "</interface>",
            '<property type="s" name="implementation" access="read"/></interface>')
        self.assertEqual(self.check(xml, spec, "x.manager"), [])
        self.assertNotEqual(self.check(xml, self.SPEC), [])


def tap_case(test):
    """One unittest test as a case of the TAP runner."""
    def case():
        result = unittest.TestResult()
        unittest.TestSuite([test]).run(result)  # with setUpClass
        problems = result.errors + result.failures
        assert not problems, "\n".join(text for _, text in problems)
        assert not result.skipped, result.skipped
    return case


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check-introspection.py SPEC_TABLES XML_DIR")
    SPEC_TABLES, XML_DIR = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import ovpn3tap
    # the unittest cases, in order, as TAP cases (Class.test_x -> test_x)
    for cls in (TestIntrospectionMatchesSpec, TestCheckerCatchesDifferences):
        for name in unittest.defaultTestLoader.getTestCaseNames(cls):
            globals()[name if name.startswith("test_") else "test_" + name] = tap_case(cls(name))
    ovpn3tap.main(independent=True)
