package tpdocker_test

// The docker wrapper's child dies with it on Linux (dockerclient_test.go).

import "syscall"

func pdeathsig() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
