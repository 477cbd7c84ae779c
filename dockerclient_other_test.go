//go:build unix && !linux

package tpdocker_test

import "syscall"

func pdeathsig() *syscall.SysProcAttr { return nil }
