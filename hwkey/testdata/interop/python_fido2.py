"""Interop check: Yubico's python-fido2 Fido2Server (an independent
WebAuthn relying-party implementation) verifies what `vmfa key register`
and `vmfa key login` print for the virtual key through libfido2.

Usage: python3 python_fido2.py VMFA_BINARY MODE   (MODE: fido2, u2f or passkey)
The vault is taken from the environment (VMFA_VAULT, VMFA_PASSPHRASE...).
Needs python3-fido2 (0.9 or later). Prints one line per accepted step.

passkey: with a PIN set on the virtual key, two resident credentials
(--resident --uv --cred-protect 2, so PIN protocol 2 through libfido2),
listed with credential management, then a discoverable login (no
--credential) as the second account, verified against both.
"""
import json
import subprocess
import sys

from fido2.attestation import FidoU2FAttestation, PackedAttestation
from fido2.client import ClientData
from fido2.ctap2 import AttestationObject, AuthenticatorData
from fido2.server import Fido2Server
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import PublicKeyCredentialRpEntity

vmfa, mode = sys.argv[1], sys.argv[2]


def run(*args, stdin=None):
    p = subprocess.run([vmfa, *args], capture_output=True, text=True, input=stdin)
    if p.returncode != 0:
        sys.exit("vmfa %s: %s" % (" ".join(args[:2]), p.stderr))
    return json.loads(p.stdout)


def verify_attestation(ao, client_data_hash):
    # Signature and certificate requirements of the format; there is no
    # vendor CA list for the virtual key.
    verifier = {"packed": PackedAttestation(), "fido-u2f": FidoU2FAttestation()}[ao.fmt]
    result = verifier.verify(ao.att_statement, ao.auth_data, client_data_hash)
    print(mode, "attestation", ao.fmt, result.attestation_type.name)


server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"),
                     attestation="direct", verify_attestation=verify_attestation)

if mode == "passkey":
    pin = "246810\n"
    subprocess.run([vmfa, "key", "pin", "--virtual", "--pin-stdin"], input=pin, text=True, check=True,
                   capture_output=True)
    credentials, handles = [], {}
    for user in ("alice", "bob"):
        handle = ("user-" + user).encode()
        options, state = server.register_begin({"id": handle, "name": user, "displayName": user.title()},
                                               resident_key=True, user_verification="required")
        cred = run("key", "register", "--virtual", "--resident", "--uv", "--cred-protect", "2",
                   "--rp", "example.com", "--user", user, "--user-id", websafe_encode(handle),
                   "--challenge", websafe_encode(options["publicKey"]["challenge"]), "--pin-stdin", "--json",
                   stdin=pin)
        auth_data = server.register_complete(
            state,
            ClientData(websafe_decode(cred["response"]["clientDataJSON"])),
            AttestationObject(websafe_decode(cred["response"]["attestationObject"])))
        assert auth_data.is_user_verified(), "UV flag not set"
        assert auth_data.flags & 0x18 == 0, "BE/BS set on a hardware-like key"
        assert auth_data.extensions == {"credProtect": 2}, auth_data.extensions
        assert cred["clientExtensionResults"]["credProps"] == {"rk": True}
        credentials.append(auth_data.credential_data)
        handles[auth_data.credential_data.credential_id] = handle
        print(mode, "registration accepted", user)
    listed = run("key", "creds", "list", "--virtual", "--rp", "example.com", "--pin-stdin", "--json", stdin=pin)
    assert sorted(c["user_name"] for c in listed["credentials"]) == ["alice", "bob"], listed
    # A discoverable login: no allowCredentials, the account chosen by name.
    options, state = server.authenticate_begin(user_verification="required")
    a = run("key", "login", "--virtual", "--rp", "example.com", "--account", "alice", "--pin-stdin",
            "--challenge", websafe_encode(options["publicKey"]["challenge"]), "--json", stdin=pin)
    cred = server.authenticate_complete(
        state, credentials, websafe_decode(a["rawId"]),
        ClientData(websafe_decode(a["response"]["clientDataJSON"])),
        AuthenticatorData(websafe_decode(a["response"]["authenticatorData"])),
        websafe_decode(a["response"]["signature"]))
    assert websafe_decode(a["response"]["userHandle"]) == handles[cred.credential_id] == b"user-alice"
    print(mode, "discoverable assertion accepted")
    sys.exit(0)

options, state = server.register_begin({"id": b"user-1", "name": "alice", "displayName": "Alice"},
                                       user_verification="discouraged")
cred = run("key", "register", "--virtual=" + mode, "--rp", "example.com", "--user", "alice",
           "--challenge", websafe_encode(options["publicKey"]["challenge"]), "--json")
auth_data = server.register_complete(
    state,
    ClientData(websafe_decode(cred["response"]["clientDataJSON"])),
    AttestationObject(websafe_decode(cred["response"]["attestationObject"])))
print(mode, "registration accepted")
credentials = [auth_data.credential_data]
for i in range(2):
    options, state = server.authenticate_begin(credentials, user_verification="discouraged")
    a = run("key", "login", "--virtual=" + mode, "--rp", "example.com",
            "--credential", websafe_encode(auth_data.credential_data.credential_id),
            "--challenge", websafe_encode(options["publicKey"]["challenge"]), "--json")
    server.authenticate_complete(
        state, credentials, websafe_decode(a["rawId"]),
        ClientData(websafe_decode(a["response"]["clientDataJSON"])),
        AuthenticatorData(websafe_decode(a["response"]["authenticatorData"])),
        websafe_decode(a["response"]["signature"]))
    print(mode, "assertion accepted")
