"""Interop check: Yubico's python-fido2 Fido2Server (an independent
WebAuthn relying-party implementation) verifies what `vmfa key register`
and `vmfa key login` print for the virtual key through libfido2.

Usage: python3 python_fido2.py VMFA_BINARY MODE   (MODE: fido2 or u2f)
The vault is taken from the environment (VMFA_VAULT, VMFA_PASSPHRASE...).
Needs python3-fido2 (0.9 or later). Prints one line per accepted step.
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


def run(*args):
    return json.loads(subprocess.run([vmfa, *args], capture_output=True, text=True, check=True).stdout)


def verify_attestation(ao, client_data_hash):
    # Signature and certificate requirements of the format; there is no
    # vendor CA list for the virtual key.
    verifier = {"packed": PackedAttestation(), "fido-u2f": FidoU2FAttestation()}[ao.fmt]
    result = verifier.verify(ao.att_statement, ao.auth_data, client_data_hash)
    print(mode, "attestation", ao.fmt, result.attestation_type.name)


server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"),
                     attestation="direct", verify_attestation=verify_attestation)
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
