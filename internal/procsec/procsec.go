// Package procsec hardens the vmfa process before it decrypts anything:
// no core dumps, and (on Linux) not dumpable, which also keeps other
// processes of the same user without CAP_SYS_PTRACE from attaching to it
// or reading its memory through /proc/PID/mem.
package procsec
