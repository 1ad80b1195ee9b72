"""AF_NETLINK: the kernel's own sockets need no address (`send` on an unbound socket goes to
the kernel). A NETLINK_SOCK_DIAG dump of listening TCP sockets shows what the host runs; the
attacker passes if it sees the harness's listener port, i.e. it sees the host's network."""

import socket
import struct

import attack_common as common

ATTACK = "netlink-sock-diag"
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
TCP_LISTEN = 10


def listening_ports():
    # struct inet_diag_req_v2: family, protocol, ext, pad, states, then a zeroed sockid (48 B).
    request = struct.pack("=BBBxI", socket.AF_INET, socket.IPPROTO_TCP, 0, 1 << TCP_LISTEN)
    request += bytes(48)
    header = struct.pack(
        "=IHHII", 16 + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0
    )
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    sock.settimeout(2)
    ports = set()
    try:
        sock.send(header + request)
        while True:
            data = sock.recv(65536)
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if kind in (NLMSG_DONE, NLMSG_ERROR) or length < 16:
                    return ports
                # struct inet_diag_msg: family, state, timer, retrans, then sockid (sport first).
                (sport,) = struct.unpack_from(">H", data, offset + 16 + 4)
                ports.add(sport)
                offset += (length + 3) & ~3
    finally:
        sock.close()


LANDED = common.attempt(lambda: common.LISTENER_PORT in listening_ports())


def handler(event, context):
    return common.answer(event, LANDED)
