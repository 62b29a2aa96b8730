# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg's protected store (services/netcfg/netcfg-store.h) as the tests
see it: read a record as root, or forge one as an attacker would.

Each record is two files, <record>.0 and <record>.1, in the state
directory (root's, 0700); each file is one header line

  ovpn3-netcfg-store 1 <record> <generation> <length> <sha256>\\n

followed by <length> bytes of payload, the sha256 (hex) being that of
"<record>\\n<generation>\\n<length>\\n" + payload. The intact copy with the
higher generation is the record; an empty payload is "nothing recorded".
"""

import base64
import hashlib
import json
import os

STATE_DIR = '/run/ovpn3/netcfg'
MAGIC = 'ovpn3-netcfg-store'
DEVICES = 'netcfg-state'
RESOLV_BACKUP = 'resolv.conf.backup'
RECORDS = (DEVICES, RESOLV_BACKUP)
# what netcfg kept there before the store (plain JSON / plain text)
LEGACY_FILES = ('netcfg-state.json', 'resolv.conf.backup')


def files(record):
    return ['%s.%d' % (record, i) for i in (0, 1)]


def all_files():
    return [f for r in RECORDS for f in files(r)]


def encode(record, generation, payload):
    head = ('%s\n%d\n%d\n' % (record, generation, len(payload))).encode()
    digest = hashlib.sha256(head + payload).hexdigest()
    return ('%s 1 %s %d %d %s\n' % (MAGIC, record, generation, len(payload), digest)).encode() \
        + payload


def decode(record, data):
    """(generation, payload) of an intact copy, else None."""
    end = data.find(b'\n')
    if end < 0:
        return None
    fields = data[:end].decode('ascii', 'replace').split(' ')
    if len(fields) != 6 or fields[0] != MAGIC or fields[1] != '1' or fields[2] != record:
        return None
    generation, length = int(fields[3]), int(fields[4])
    payload = data[end + 1:end + 1 + length]
    if len(payload) != length:
        return None
    head = ('%s\n%d\n%d\n' % (record, generation, length)).encode()
    if hashlib.sha256(head + payload).hexdigest() != fields[5]:
        return None
    return generation, payload


def load(record, state_dir=STATE_DIR):
    """The record's payload (b'' when nothing is recorded), None if no
    intact copy exists."""
    best = None
    for name in files(record):
        try:
            with open(os.path.join(state_dir, name), 'rb') as f:
                got = decode(record, f.read())
        except FileNotFoundError:
            continue
        if got is not None and (best is None or got[0] > best[0]):
            best = got
    return None if best is None else best[1]


def state_payload(devices):
    return json.dumps({'version': 1, 'devices': devices}).encode()


def backup_payload(original, written):
    """original: bytes; written: the texts netcfg wrote into resolv.conf."""
    return json.dumps({'version': 1, 'original': base64.b64encode(original).decode(),
                       'written': [hashlib.sha256(w).hexdigest() for w in written]}).encode()


def backup_original(state_dir=STATE_DIR):
    """The original resolv.conf kept in the backup record, or None."""
    payload = load(RESOLV_BACKUP, state_dir)
    if not payload:
        return None
    return base64.b64decode(json.loads(payload)['original'])


def devices(state_dir=STATE_DIR):
    """Device names in the device record ([] when nothing is recorded)."""
    payload = load(DEVICES, state_dir)
    if not payload:
        return []
    return [d.get('name') for d in json.loads(payload).get('devices', [])]
