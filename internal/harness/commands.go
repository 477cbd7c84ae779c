package harness

import (
	"context"
	"fmt"

	"github.com/rogpeppe/go-internal/testscript"

	"tpdocker/internal/engine"
	"tpdocker/internal/scriptcmd"
)

// The script commands that need the suite's own state; their usage and
// meaning are in the root's table of commands.

// Lock is the command lock NAME: it takes the suite's lock NAME until the
// script ends, its clean-up included.
func (s *Suite) Lock(ts *testscript.TestScript, neg bool, args []string) error {
	return s.locks.Lock(ts, neg, args)
}

// Resizes gives the terminal command the resize counter of the script's
// scope proxy.
func (s *Suite) Resizes(ts *testscript.TestScript) func() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc := s.scripts[scriptcmd.ScriptName(ts)]; sc != nil && sc.proxy != nil {
		return sc.proxy.Resized
	}
	return nil
}

// Sentinel is the command sentinel create|check: it makes, then checks,
// the script's sentinels (internal/engine), objects made outside the
// script's scope that stand for a reader's own.
func (s *Suite) Sentinel(ts *testscript.TestScript, neg bool, args []string) error {
	if neg || len(args) != 1 || (args[0] != "create" && args[0] != "check") {
		return scriptcmd.ErrUsage
	}
	name := scriptcmd.ScriptName(ts)
	ctx := context.Background()
	if args[0] == "create" {
		sn, err := engine.CreateSentinels(ctx, s.cli, s.runID+"."+name)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.script(name).sentinels = sn
		s.mu.Unlock()
		id := engine.ShortID
		fmt.Fprintf(ts.Stdout(), "sentinelles créées hors du script : conteneurs %s (arrêté) et %s (en marche), image pendante %s, volume %s, réseau %s\n",
			id(sn.Stopped), id(sn.Running), id(sn.Image), id(sn.Volume), id(sn.Network))
		return nil
	}
	s.mu.Lock()
	sn := s.script(name).sentinels
	s.mu.Unlock()
	if sn == nil {
		return fmt.Errorf("sentinel check sans sentinel create")
	}
	if err := sn.Check(ctx, s.cli); err != nil {
		return err
	}
	fmt.Fprintln(ts.Stdout(), "sentinelles intactes : 2 conteneurs, 1 image pendante, 1 volume, 1 réseau")
	return nil
}
