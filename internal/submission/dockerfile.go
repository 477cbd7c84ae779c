package submission

// The Dockerfiles: read by BuildKit's parser; refused when they would make
// BuildKit fetch a frontend, leave its sandbox or read the builder's
// secrets; question 3.b (FROM python:3.9-slim, a CMD or ENTRYPOINT) and the
// CMD line of question 4.a.

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// dockerfile is a Dockerfile read by BuildKit's parser.
type dockerfile struct {
	file     string // the student's file that holds it, relative to the folder
	line     int    // for a dockerfile_inline, the line of the key in file
	data     []byte
	escape   rune
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
}

// at says where line n of the Dockerfile is, for a message.
func (d *dockerfile) at(n int) string {
	if d.line > 0 {
		return where(d.file, d.line) + " (dockerfile_inline, ligne " + strconv.Itoa(n) + ")"
	}
	return where(d.file, n)
}

// refuseIn adds a reason about line n of d.
func (s *state) refuseIn(d *dockerfile, n int, format string, args ...any) {
	s.reasons = append(s.reasons, oneLine(d.at(n)+" : "+fmt.Sprintf(format, args...)))
}

// readDockerfile parses data and refuses what BuildKit must not run. It
// returns nil if the file does not parse.
func (s *state) readDockerfile(file string, line int, data []byte) *dockerfile {
	d := &dockerfile{file: file, line: line, data: data}
	if syntax, _, loc, ok := parser.DetectSyntax(data); ok {
		s.refuseIn(d, rangeLine(loc), "la directive « syntax=%s » ferait télécharger et exécuter par BuildKit une image de frontend choisie par le Dockerfile, refusé : le TP n'en a pas besoin, retirez cette ligne.", syntax)
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err == nil {
		d.escape = res.EscapeToken
		d.stages, d.metaArgs, err = instructions.Parse(res.AST, nil)
	}
	if err != nil {
		if line == 0 && s.todo[file] {
			s.check("3.b", false, file, errorLine(err), "BuildKit ne lit pas encore ce Dockerfile (%s) : complétez d'abord ses # TODO.", detail(err))
			return nil
		}
		s.refuseIn(d, errorLine(err), "BuildKit ne lit pas ce Dockerfile (%s) ; corrigez-le avant la vérification.", detail(err))
		return nil
	}
	names := map[string]bool{}
	for i, st := range d.stages {
		names[strings.ToLower(st.Name)] = st.Name != ""
		names[strconv.Itoa(i)] = true
	}
	for _, st := range d.stages {
		for _, c := range st.Commands {
			if run, ok := c.(*instructions.RunCommand); ok {
				s.checkRun(d, run, names)
			}
		}
	}
	return d
}

var errVariable = errors.New("variable")

// checkRun refuses the RUN options that leave BuildKit's sandbox.
func (s *state) checkRun(d *dockerfile, run *instructions.RunCommand, stages map[string]bool) {
	line := rangeLine(run.Location())
	const why = "refusé : le TP n'en a pas besoin et"
	err := run.Expand(func(word string) (string, error) {
		if strings.Contains(word, "$") {
			return "", errVariable
		}
		return word, nil
	})
	switch {
	case errors.Is(err, errVariable):
		s.refuseIn(d, line, "RUN --mount avec une variable ($), refusé : la vérification ne peut pas savoir ce qui serait monté ; écrivez la valeur.")
	case err != nil:
		s.refuseIn(d, line, "BuildKit ne lit pas ce RUN --mount (%s).", detail(err))
	default:
		for _, m := range instructions.GetMounts(run) {
			switch m.Type {
			case instructions.MountTypeSecret, instructions.MountTypeSSH:
				s.refuseIn(d, line, "RUN --mount=type=%s, %s il donnerait à la construction les secrets ou l'agent SSH de la machine de correction.", m.Type, why)
			case instructions.MountTypeCache:
				// A cache outlives the build, on the checker's engine: the
				// next student's build would read it (and the check's
				// promise is that nothing is left on the engine).
				s.refuseIn(d, line, "RUN --mount=type=cache, %s ce cache resterait sur le moteur de correction et servirait à la construction des rendus suivants.", why)
			case instructions.MountTypeBind:
				if m.From != "" && !stages[strings.ToLower(m.From)] {
					s.refuseIn(d, line, "RUN --mount=type=%s,from=%s : from= ne désigne pas une étape de ce Dockerfile, %s il monterait une image ou un contexte extérieurs.", m.Type, m.From, why)
				}
			}
		}
	}
	if instructions.GetSecurity(run) == "insecure" {
		s.refuseIn(d, line, "RUN --security=insecure, %s il lancerait la commande hors du bac à sable de BuildKit, avec les droits de l'hôte.", why)
	}
	if instructions.GetNetwork(run) == instructions.NetworkHost {
		s.refuseIn(d, line, "RUN --network=host, %s la commande partagerait le réseau de la machine de correction.", why)
	}
	if len(instructions.GetDevices(run)) > 0 {
		s.refuseIn(d, line, "RUN --device, %s la commande accéderait aux périphériques de l'hôte.", why)
	}
}

// rangeLine is the first line of a location (BuildKit counts from 1).
func rangeLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

// errorLine is the line a BuildKit error gives, 0 if none.
func errorLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 {
		return rangeLine(le.Locations[0])
	}
	return 0
}

// detail is an error's text, for a message: one line, without the
// student's absolute paths.
func detail(err error) string {
	return oneLine(err.Error())
}

// dockerfileName is the student's Dockerfile in the layout.
func (s *state) dockerfileName() string {
	if s.layout == LayoutAPI {
		return "api/Dockerfile"
	}
	return "Dockerfile"
}

// checkLayoutDockerfile reads the layout's Dockerfile: refusals, question
// 3.b, and the Dockerfile's part of the hints of 3.b and 4.a.
func (s *state) checkLayoutDockerfile() {
	name := s.dockerfileName()
	data, err := s.data(name)
	if err != nil {
		return // missing: the refusal says so
	}
	s.seenDockerfile(name)
	d := s.readDockerfile(name, 0, data)
	if d == nil {
		return
	}
	if len(d.stages) == 0 {
		s.check("3.b", false, name, 0, "aucune instruction FROM, le TP demande FROM python:3.9-slim")
		return
	}
	s.checkFrom(d)
	s.checkCmd(d)
}

// seenDockerfile records a Dockerfile read, and reports whether it had
// been already.
func (s *state) seenDockerfile(p string) bool {
	if s.dockerfiles == nil {
		s.dockerfiles = map[string]bool{}
	}
	seen := s.dockerfiles[p]
	s.dockerfiles[p] = true
	return seen
}

// argEnv gives the Dockerfile's global ARG defaults to the shell lexer.
type argEnv map[string]string

func (e argEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e argEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}

func (d *dockerfile) args() argEnv {
	env := argEnv{}
	for _, a := range d.metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env[kv.Key] = *kv.Value
			}
		}
	}
	return env
}

// chain is the final stage, then the stages it is built from, up to the
// one whose FROM names an image; base is that image, with the global ARG
// defaults expanded.
func (d *dockerfile) chain() (chain []int, base string) {
	lex := shell.NewLex(d.escape)
	i := len(d.stages) - 1
	for len(chain) <= len(d.stages) {
		chain = append(chain, i)
		base = d.stages[i].BaseName
		if r, err := lex.ProcessWordWithMatches(base, d.args()); err == nil {
			base = r.Result
		}
		parent := -1
		for j := 0; j < i; j++ {
			if d.stages[j].Name != "" && strings.EqualFold(d.stages[j].Name, base) {
				parent = j
			}
		}
		if parent < 0 {
			return chain, base
		}
		i = parent
	}
	return chain, base
}

// isImage reports whether ref names the official image name:tag (any
// digest accepted, docker.io/library/ implied).
func isImage(ref, name, tag string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil || reference.FamiliarName(named) != name {
		return false
	}
	tagged, ok := named.(reference.Tagged)
	return ok && tagged.Tag() == tag
}

// checkFrom: the final image is built FROM python:3.9-slim.
func (s *state) checkFrom(d *dockerfile) {
	chain, base := d.chain()
	st := d.stages[chain[len(chain)-1]]
	line := rangeLine(st.Location)
	found := "FROM " + st.BaseName
	if base != st.BaseName {
		found += " (soit " + base + ")"
	}
	if isImage(base, "python", "3.9-slim") {
		s.check("3.b", true, d.file, line, "%s, l'image de base que le TP demande", found)
	} else {
		s.check("3.b", false, d.file, line, "%s, le TP demande python:3.9-slim", found)
	}
	s.hint("3.b", d.file, line, quoteLine(d.data, line))
}

// checkCmd: the image starts something (CMD or ENTRYPOINT); the CMD's line
// and the port it gives uvicorn go to the hint of 4.a.
func (s *state) checkCmd(d *dockerfile) {
	chain, _ := d.chain()
	var cmd *instructions.CmdCommand
	var entry *instructions.EntrypointCommand
	for _, i := range chain {
		cmds := d.stages[i].Commands
		for j := len(cmds) - 1; j >= 0; j-- {
			switch c := cmds[j].(type) {
			case *instructions.CmdCommand:
				if cmd == nil {
					cmd = c
				}
			case *instructions.EntrypointCommand:
				if entry == nil {
					entry = c
				}
			}
		}
	}
	if cmd == nil && entry == nil {
		s.check("3.b", false, d.file, 0, `ni CMD ni ENTRYPOINT : le conteneur ne lancerait pas l'API (attendu : CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"])`)
		s.hint("4.a", d.file, 0, "ni CMD ni ENTRYPOINT, le conteneur ne lance pas uvicorn")
		return
	}
	var words []string
	line := 0
	if entry != nil {
		line = rangeLine(entry.Location())
		words = d.words(entry.ShellDependantCmdLine)
	}
	if cmd != nil && (entry == nil || !entry.PrependShell) {
		line = rangeLine(cmd.Location())
		words = append(words, d.words(cmd.ShellDependantCmdLine)...)
	}
	kind := "CMD"
	if cmd == nil {
		kind = "ENTRYPOINT"
	}
	s.check("3.b", true, d.file, line, "%s lance le serveur au démarrage du conteneur", kind)
	h := quoteLine(d.data, line)
	if port, ok := uvicornPort(words); ok && port != "8000" {
		h += fmt.Sprintf(" ; uvicorn y écoute sur le port %s, alors que le TP publie le port 8000 du conteneur", port)
	}
	s.hint("4.a", d.file, line, h)
}

// words splits a CMD or ENTRYPOINT as the shell would (its shell form).
func (d *dockerfile) words(c instructions.ShellDependantCmdLine) []string {
	if !c.PrependShell {
		return c.CmdLine
	}
	w, err := shell.NewLex(d.escape).ProcessWords(strings.Join(c.CmdLine, " "), argEnv{})
	if err != nil {
		return strings.Fields(strings.Join(c.CmdLine, " "))
	}
	return w
}

// uvicornPort is the port a command line gives uvicorn (8000 by default),
// if it runs uvicorn.
func uvicornPort(words []string) (string, bool) {
	for i, w := range words {
		if path.Base(w) != "uvicorn" {
			continue
		}
		port := "8000"
		for j := i + 1; j < len(words); j++ {
			if v, ok := strings.CutPrefix(words[j], "--port="); ok {
				port = v
			} else if words[j] == "--port" && j+1 < len(words) {
				port = words[j+1]
			}
		}
		return port, true
	}
	return "", false
}
