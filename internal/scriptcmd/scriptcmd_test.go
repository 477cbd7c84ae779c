package scriptcmd

// The scripts' own commands run by testscript, and their reference table.

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var cmds = []Cmd{
	{"waithttp", "URL [secondes]", "attend que l'URL réponde 200", WaitHTTP},
	{"waitpg", "HÔTE:PORT UTILISATEUR BASE [secondes]", "attend que PostgreSQL accepte une session", WaitPG},
	{"grab", "NOM REGEXP", "met dans $NOM le premier groupe de REGEXP", Grab},
	{"subst", "FICHIER REGEXP REMPLACEMENT", "modifie un fichier", Subst},
	{"terminal", "FICHIER COMMANDE [ARGUMENTS...]", "lance COMMANDE dans un terminal", Terminal(nil)},
}

// The commands in a real testscript run, against local servers.
func TestCommands(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("exec echo et terminal sh : le script demande un système Unix ; sous Windows, lancez les tests dans WSL2")
	}
	var calls atomic.Int32
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "pas encore", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(service.Close)
	pg, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	go func() {
		for {
			c, err := pg.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 256))
			c.Write([]byte("R\x00\x00\x00\x08\x00\x00\x00\x03"))
			c.Close()
		}
	}()
	var locks Locks
	all := append(cmds, Cmd{"lock", "NOM", "prend un verrou", locks.Lock})
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("SERVICE", service.URL)
			env.Setenv("PG", pg.Addr().String())
			env.Defer(func() { locks.Release("commands") })
			return nil
		},
		Cmds: Table(all),
	})
	t.Cleanup(func() {
		if calls.Load() != 3 {
			t.Errorf("waithttp a interrogé le service %d fois, 3 attendues", calls.Load())
		}
	})
}

func TestReference(t *testing.T) {
	ref := Reference(cmds, []Cond{{Name: "official:NOM", Summary: "l'image NOM est l'officielle"}})
	for _, want := range []string{
		"| `waitpg HÔTE:PORT UTILISATEUR BASE [secondes]` | attend que PostgreSQL accepte une session |\n",
		"| `[official:NOM]` | l'image NOM est l'officielle |\n",
	} {
		if !strings.Contains(ref, want) {
			t.Errorf("la référence ne contient pas %q :\n%s", want, ref)
		}
	}
	if got := (Cmd{Name: "lock", Args: "NOM"}).Usage(); got != "lock NOM" {
		t.Errorf("usage : %q", got)
	}
}

// TestConditions: [NAME] and [NAME:ARG] reach their own Cond, with the
// argument; an unknown one, or one given an argument it does not take, is
// an error.
func TestConditions(t *testing.T) {
	var got []string
	cond := Conditions([]Cond{
		{Name: "official:NOM", Eval: func(arg string) (bool, error) { got = append(got, "official "+arg); return arg == "python", nil }},
		{Name: "containerd-store", Eval: func(arg string) (bool, error) { got = append(got, "store "+arg); return true, nil }},
	})
	if ok, err := cond("official:python"); !ok || err != nil {
		t.Errorf("[official:python] : %v, %v", ok, err)
	}
	if ok, err := cond("official:alpine"); ok || err != nil {
		t.Errorf("[official:alpine] : %v, %v", ok, err)
	}
	if ok, err := cond("containerd-store"); !ok || err != nil {
		t.Errorf("[containerd-store] : %v, %v", ok, err)
	}
	for _, bad := range []string{"official", "containerd-store:x", "inconnue"} {
		if _, err := cond(bad); err == nil || !strings.Contains(err.Error(), "condition inconnue") {
			t.Errorf("[%s] : %v, attendu « condition inconnue »", bad, err)
		}
	}
	if strings.Join(got, ",") != "official python,official alpine,store " {
		t.Errorf("appels : %q", got)
	}
}
