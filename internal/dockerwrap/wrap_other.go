//go:build unix && !linux

package dockerwrap

// The docker wrapper on other Unix systems: no parent-death signal there.

import "syscall"

func pdeathsig() *syscall.SysProcAttr { return nil }
