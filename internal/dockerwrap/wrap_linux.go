package dockerwrap

// The docker wrapper's child dies with it on Linux.

import "syscall"

func pdeathsig() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
