package lab

import (
	"strings"
	"testing"
)

// TestTables: each command has its usage, its meaning and what runs it,
// each condition its meaning and its answer, and no name is given twice.
func TestTables(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Commands(nil) {
		if c.Args == "" || c.Summary == "" || c.Run == nil || seen[c.Name] {
			t.Errorf("commande %q : usage, rôle et exécution attendus, une seule fois", c.Name)
		}
		seen[c.Name] = true
	}
	for _, c := range Conditions(nil, true) {
		if c.Summary == "" || c.Eval == nil || seen["["+c.Name+"]"] {
			t.Errorf("condition [%s] : rôle et réponse attendus, une seule fois", c.Name)
		}
		seen["["+c.Name+"]"] = true
	}
}

// TestAuthorCondition: [auteur] holds for the author's files only.
func TestAuthorCondition(t *testing.T) {
	for _, author := range []bool{true, false} {
		p := Params(nil, ".", author)
		if got, err := p.Condition("auteur"); got != author || err != nil {
			t.Errorf("[auteur] pour author=%v : %v, %v", author, got, err)
		}
	}
}

func TestClientMajor(t *testing.T) {
	for v, want := range map[string]int{"29.9.3": 29, "28.2.2": 28, "30": 30} {
		if got, err := ClientMajor(v); got != want || err != nil {
			t.Errorf("ClientMajor(%q) = %d, %v", v, got, err)
		}
	}
	if _, err := ClientMajor("dev"); err == nil || !strings.Contains(err.Error(), "illisible") {
		t.Errorf("ClientMajor(dev) : %v", err)
	}
}
