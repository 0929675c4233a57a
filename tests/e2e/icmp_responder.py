#!/usr/bin/python3
"""A host that loses packets, for icmp_e2e_test: run inside a test network namespace whose
kernel ignores echo requests (net.ipv4.icmp_echo_ignore_all=1).

  icmp_responder.py LOSSY SILENT

Echo requests to LOSSY are answered every other one (the 1st, 3rd, ...): half are lost. Echo
requests to SILENT get three replies each, but sent from LOSSY: a checker that takes replies
from the wrong address, or counts duplicates, would see them. Prints "ready" once listening.
"""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main():
    lossy, silent = sys.argv[1], sys.argv[2]
    listen = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    answer = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    answer.bind((lossy, 0))  # every reply leaves from LOSSY
    print("ready", flush=True)
    seen = 0
    while True:
        packet, source = listen.recvfrom(65535)
        header = (packet[0] & 0x0F) * 4
        if len(packet) < header + 8 or packet[header] != 8:
            continue
        destination = socket.inet_ntoa(packet[16:20])
        reply = bytearray(packet[header:])
        reply[0] = 0
        reply[2:4] = b"\0\0"
        reply[2:4] = struct.pack("!H", checksum(bytes(reply)))
        if destination == lossy:
            seen += 1
            if seen % 2 == 1:
                answer.sendto(bytes(reply), source)
        elif destination == silent:
            for _ in range(3):
                answer.sendto(bytes(reply), source)


if __name__ == "__main__":
    main()
