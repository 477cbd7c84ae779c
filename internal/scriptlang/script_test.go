package scriptlang

import (
	"reflect"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	env := map[string]string{"NAME": "web-1", "RE": "a.b", "EMPTY": ""}
	getenv := func(name string) string { return env[name] }
	for _, c := range []struct {
		line     string
		expanded bool
		want     []string
	}{
		{"exec docker run alpine echo 'Bonjour depuis un conteneur'", false, []string{"exec", "docker", "run", "alpine", "echo", "Bonjour depuis un conteneur"}},
		{"exec sh -c 'it''s'", false, []string{"exec", "sh", "-c", "it's"}},
		{"printf ''", false, []string{"printf", ""}},
		{"a''b 'x'y", false, []string{"ab", "xy"}},
		{"''''", false, []string{"'"}},
		{"\texec\t a  b\r", false, []string{"exec", "a", "b"}},
		{"exec echo a#b # comment", false, []string{"exec", "echo", "a"}},
		{"stderr '^#\\d+ \\[1/4\\]'", false, []string{"stderr", `^#\d+ \[1/4\]`}},
		{"# a comment", false, nil},
		{"", false, nil},
		{"exec echo 'open", false, []string{"exec", "echo", "open"}},
		{"docker stop $NAME ${NAME}", false, []string{"docker", "stop", "$NAME", "${NAME}"}},
		{"docker stop $NAME ${NAME}-x '$NAME'", true, []string{"docker", "stop", "web-1", "web-1-x", "$NAME"}},
		{"stdout ${RE@R} $RE", true, []string{"stdout", `a\.b`, "a.b"}},
		{"exec echo $EMPTY", true, []string{"exec", "echo", ""}},
	} {
		var g func(string) string
		if c.expanded {
			g = getenv
		}
		if got := Words(c.line, g); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Words(%q) = %q, attendu %q", c.line, got, c.want)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for line, want := range map[string]Command{
		"exec docker ps":                      {Args: []string{"exec", "docker", "ps"}},
		"[official:python] stdout 'Python 3'": {Conds: []Cond{{Name: "official:python"}}, Args: []string{"stdout", "Python 3"}},
		"[!containerd-store] '[ short ]' ! exec false": {Conds: []Cond{{Name: "containerd-store", Not: true}, {Name: "short"}}, Neg: true,
			Args: []string{"exec", "false"}},
		"'[! net]' stdout x":                {Conds: []Cond{{Name: "net", Not: true}}, Args: []string{"stdout", "x"}},
		"exec docker run simple-api &api&":  {Args: []string{"exec", "docker", "run", "simple-api"}, Background: true, BgName: "api"},
		"exec sleep 1 &":                    {Args: []string{"exec", "sleep", "1"}, Background: true},
		"exec echo &&":                      {Args: []string{"exec", "echo", "&&"}},
		"stdout &api&":                      {Args: []string{"stdout", "&api&"}},
		"exec sh -c 'echo a && echo b' &x&": {Args: []string{"exec", "sh", "-c", "echo a && echo b"}, Background: true, BgName: "x"},
		"[! net] stdout x":                  {Args: []string{"[!", "net]", "stdout", "x"}}, // two words: no condition
		"wait api":                          {Args: []string{"wait", "api"}},
		"! stdout .":                        {Neg: true, Args: []string{"stdout", "."}},
		"":                                  {},
	} {
		got := ParseCommand(Words(line, nil))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseCommand(%q) = %+v, attendu %+v", line, got, want)
		}
	}
	if n := ParseCommand(Words("[x] ! exec a", nil)).Name(); n != "exec" {
		t.Errorf("Name() = %q", n)
	}
	if n := ParseCommand(nil).Name(); n != "" {
		t.Errorf("Name() d'une ligne vide = %q", n)
	}
}

const questionScript = `# Exercice 6 : PostgreSQL.
exec docker compose up -d

# Question 6.a : psql.
exec docker compose exec db psql
# Un second commentaire, toujours 6.a.
stdout demo

# Questions 6.b et 6.c : la version.
exec psql -c 'SELECT version()'
#Question 6.d, la fin
# Questions 7.a, 7.b : après une virgule.
exec true
  # Question 3.b : une ligne en retrait compte aussi.
exec true
# Question 9.zz n'est pas une question.
-- docker-compose.yml --
# Question 8.a
services: {}
`

func TestParseScriptQuestions(t *testing.T) {
	s := ParseScript(questionScript)
	if want := []string{"6.a", "6.b", "6.c", "6.d", "7.a", "7.b", "3.b"}; !reflect.DeepEqual(s.Questions, want) {
		t.Errorf("questions %q, attendu %q", s.Questions, want)
	}
	if len(s.Lines) != 16 {
		t.Fatalf("%d lignes, attendu 16 (le fichier de l'archive laissé de côté)", len(s.Lines))
	}
	for n, want := range map[int][]string{
		1: {"6.a"}, 2: {"6.a"}, 3: {"6.a"}, // above the first question: the first one
		4: {"6.a"}, 5: {"6.a"}, 6: {"6.a"}, 7: {"6.a"}, 8: {"6.a"},
		9: {"6.b", "6.c"}, 10: {"6.b", "6.c"},
		11: {"6.d"}, 12: {"7.a", "7.b"}, 13: {"7.a", "7.b"},
		14: {"3.b"}, 15: {"3.b"}, 16: {"3.b"},
	} {
		if got := s.Line(n).Questions; !reflect.DeepEqual(got, want) {
			t.Errorf("ligne %d (%s) : questions %q, attendu %q", n, s.Line(n).Text, got, want)
		}
	}
	if s.Line(0) != nil || s.Line(17) != nil {
		t.Error("Line hors du script : attendu nil")
	}
	l := s.Line(10)
	if l.N != 10 || l.Comment || l.Name() != "exec" || !reflect.DeepEqual(l.Args, []string{"exec", "psql", "-c", "SELECT version()"}) {
		t.Errorf("ligne 10 : %+v", *l)
	}
	if c := s.Line(4); !c.Comment || c.Text != "# Question 6.a : psql." || c.Args != nil {
		t.Errorf("ligne 4 : %+v", *c)
	}
	if c := s.Line(3); c.Comment || c.Text != "" || c.Args != nil {
		t.Errorf("ligne 3 : %+v", *c)
	}

	none := ParseScript("# Exercice 1\nexec true\n")
	if none.Questions != nil || none.Line(2).Questions != nil {
		t.Errorf("script sans question : %q, %q", none.Questions, none.Line(2).Questions)
	}
}

func TestQuestionsOf(t *testing.T) {
	for comment, want := range map[string][]string{
		"# Question 3.a : app.py":         {"3.a"},
		"#Questions 6.c et 6.d":           {"6.c", "6.d"},
		"# Questions 5.c, 5.d et 5.e.":    {"5.c", "5.d", "5.e"},
		"# Question 3.ab":                 nil,
		"# La question 3.a":               nil,
		"exec echo '# Question 3.a'":      nil,
		"# Question 10.c (voir plus bas)": {"10.c"},
	} {
		if got := QuestionsOf(comment); !reflect.DeepEqual(got, want) {
			t.Errorf("QuestionsOf(%q) = %q, attendu %q", comment, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	var asked []string
	got := Expand("$A-${B}-${C@R}", func(name string) string {
		asked = append(asked, name)
		return map[string]string{"A": "1", "B": "2", "C": "x+y"}[name]
	})
	if got != `1-2-x\+y` || strings.Join(asked, ",") != "A,B,C" {
		t.Errorf("Expand : %q, noms demandés %q", got, asked)
	}
}
