package submission

// The Compose file: read by compose-go's loader as Docker Compose reads it,
// with no environment but the folder's .env; refused when it would give a
// container the host, reach outside the folder or publish other ports than
// the TP's; question 5.b, and the Compose parts of the hints of 4.a and
// 5.b.

import (
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"go.yaml.in/yaml/v3"
)

// projectName is the project name given to the loader: the real one is the
// harness's business.
const projectName = "rendu"

// checkCompose reads the Compose file: refusals, then question 5.b.
func (s *state) checkCompose() {
	name := s.compose
	data, _ := s.data(name)
	doc, line, msg := parseYAML(data)
	if doc == nil {
		if s.todo[name] {
			s.check("5.b", false, name, line, "le YAML ne se lit pas encore (%s) : complétez d'abord ses # TODO.", msg)
			return
		}
		s.refuse(name, line, "le YAML ne se lit pas (%s) ; corrigez-le avant la vérification.", msg)
		return
	}
	s.doc = doc
	env := s.dotenv()
	s.env = env
	// Files that include and extends name are followed only if all are
	// plain files of the folder.
	follow := s.checkReferences(name, doc, map[string]bool{name: true})
	follow = follow && len(s.f.links) == 0 && len(s.f.specials) == 0

	p, missing, err := s.loadProject(data, env, follow, true)
	var rejected error
	if err != nil {
		rejected = err
		p, missing, err = s.loadProject(data, env, follow, false)
	}
	s.refuseMissing(data, missing)
	if err != nil {
		if len(missing) == 0 {
			line, msg := yamlErrorLine(s.clean(err))
			if s.todo[name] {
				s.check("5.b", false, name, line, "Docker Compose ne lit pas encore ce fichier (%s) : complétez d'abord ses # TODO.", msg)
				return
			}
			s.refuse(name, line, "Docker Compose ne lit pas ce fichier (%s) ; corrigez-le avant la vérification.", msg)
		}
		return
	}
	if rejected != nil {
		line, msg := yamlErrorLine(s.clean(rejected))
		s.check("5.b", false, name, line, "Docker Compose refuserait ce fichier : %s", msg)
	}

	envOK, labelsOK := s.checkFilePaths(p)
	if envOK && follow {
		if r, err := p.WithServicesEnvironmentResolved(false); err != nil {
			s.check("5.b", false, name, 0, "Docker Compose ne lit pas un env_file : %s", s.clean(err))
		} else {
			p = r
		}
	}
	if labelsOK && follow {
		if r, err := p.WithServicesLabelsResolved(false); err != nil {
			s.check("5.b", false, name, 0, "Docker Compose ne lit pas un label_file : %s", s.clean(err))
		} else {
			p = r
		}
	}
	s.checkProject(p)
	s.checkServices(p, data)
}

// clean is an error of the loader on one line, without the folder's
// absolute path.
func (s *state) clean(err error) string {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, s.absDir+string(filepath.Separator), "")
	msg = strings.ReplaceAll(msg, s.absDir, ".")
	return oneLine(msg)
}

// loadProject loads the Compose file with compose-go. strict validates it
// as Docker Compose does (schema and consistency); otherwise the model is
// taken as it is, for the refusals. It returns the variables the file uses
// that .env does not define.
func (s *state) loadProject(data []byte, env map[string]string, follow, strict bool) (*types.Project, []string, error) {
	var missing []string
	environment := map[string]string{}
	for k, v := range env {
		environment[k] = v
	}
	details := types.ConfigDetails{
		WorkingDir: s.absDir,
		ConfigFiles: []types.ConfigFile{{
			Filename: filepath.Join(s.absDir, filepath.FromSlash(s.compose)),
			Content:  withoutVersion(data, s.doc),
		}},
		Environment: environment,
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(projectName, true)
		o.SkipInclude = !follow
		o.SkipExtends = !follow
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.ResolvePaths = true
		o.SkipValidation = !strict
		o.SkipConsistencyCheck = !strict
		if o.Interpolate != nil {
			// Unset variables are refused, not logged in English.
			o.Interpolate.Substitute = func(t string, m template.Mapping) (string, error) {
				return template.SubstituteWithOptions(t, m, template.WithoutLogging)
			}
			lookup := o.Interpolate.LookupValue
			o.Interpolate.LookupValue = func(k string) (string, bool) {
				v, ok := lookup(k)
				if !ok && !slices.Contains(missing, k) {
					missing = append(missing, k)
				}
				return v, ok
			}
		}
	})
	return p, missing, err
}

// withoutVersion blanks the obsolete top-level "version" line: Compose
// ignores it, and compose-go would log a warning in English on the
// checker's output.
func withoutVersion(data []byte, doc *yamlDoc) []byte {
	if len(doc.docs) == 0 {
		return data
	}
	k, v := mapEntry(doc.docs[0], "version")
	if k == nil || k.Column != 1 || v.Kind != yaml.ScalarNode || v.Line != k.Line {
		return data
	}
	lines := strings.SplitAfter(string(data), "\n")
	if k.Line > len(lines) {
		return data
	}
	l := lines[k.Line-1]
	lines[k.Line-1] = "#" + strings.Repeat(" ", max(0, len(strings.TrimRight(l, "\r\n"))-1)) + l[len(strings.TrimRight(l, "\r\n")):]
	return []byte(strings.Join(lines, ""))
}

// refuseMissing refuses the variables the Compose file uses that .env does
// not define: when the harness runs Compose, they would take the values of
// the checker's environment.
func (s *state) refuseMissing(data []byte, missing []string) {
	for _, k := range missing {
		if k == "COMPOSE_PROJECT_NAME" {
			continue
		}
		s.refuse(s.compose, refLine(data, k), "la variable %s n'est pas définie dans le fichier .env du dossier, refusé : à l'exécution, Docker Compose y mettrait la valeur de la machine de correction ; définissez-la dans .env ou écrivez la valeur.", k)
	}
}

// refLine is the first line of data that uses the variable k ($k or
// ${k…}), 0 if none.
func refLine(data []byte, k string) int {
	re := regexp.MustCompile(`\$\{?` + regexp.QuoteMeta(k) + `\b`)
	for i, l := range strings.Split(string(data), "\n") {
		if re.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

// varRE finds a variable in a Compose file: $NAME or ${NAME…}, group 1
// the "$" that escapes it if any.
var varRE = regexp.MustCompile(`(\$?)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))`)

// refuseVariables refuses the variables of a file that the folder's .env
// does not define.
func (s *state) refuseVariables(file string, data []byte) {
	var done []string
	for _, m := range varRE.FindAllSubmatch(data, -1) {
		if len(m[1]) > 0 {
			continue // $$: a literal dollar
		}
		k := string(m[2]) + string(m[3])
		if _, ok := s.env[k]; ok || slices.Contains(done, k) {
			continue
		}
		done = append(done, k)
		s.refuse(file, refLine(data, k), "la variable %s n'est pas définie dans le fichier .env du dossier, refusé : à l'exécution, Docker Compose y mettrait la valeur de la machine de correction ; définissez-la dans .env ou écrivez la valeur.", k)
	}
}

// envPrefixes are the variables of .env that would change what Docker
// Compose or Docker do (COMPOSE_FILE, DOCKER_HOST…), not the project.
var envPrefixes = []string{"COMPOSE_", "DOCKER_", "BUILDKIT_", "BUILDX_"}

// dotenv reads the folder's .env, with nothing from the checker's
// environment, and refuses what it must not set.
func (s *state) dotenv() map[string]string {
	data, err := s.data(".env")
	if err != nil {
		return map[string]string{}
	}
	env := s.readEnv(".env", data, nil)
	for _, k := range slices.Sorted(maps.Keys(env)) {
		for _, p := range envPrefixes {
			if strings.HasPrefix(strings.ToUpper(k), p) {
				s.refuse(".env", envLine(data, k), "%s changerait ce que font Docker ou Docker Compose sur la machine de correction, refusé : le TP n'en a pas besoin.", k)
				break
			}
		}
	}
	return env
}

// readEnv reads an env file (.env, an env_file or a label_file) as Docker
// Compose does, and refuses the variables it would take from the
// checker's environment: those that neither the file nor known defines.
func (s *state) readEnv(file string, data []byte, known map[string]string) map[string]string {
	// A first reading finds the variables the file defines; the second one
	// lets those resolve, and records the others. Both answer every
	// lookup, so that compose-go logs nothing.
	defined, err := dotenv.UnmarshalBytesWithLookup(data, func(string) (string, bool) { return "", true })
	if err != nil {
		s.refuse(file, 0, "le fichier ne se lit pas (%s).", detail(err))
		return map[string]string{}
	}
	var outside []string
	env, err := dotenv.UnmarshalBytesWithLookup(data, func(k string) (string, bool) {
		if v, ok := known[k]; ok {
			return v, true
		}
		if _, ok := defined[k]; ok {
			return "", false // the file's own value
		}
		if !slices.Contains(outside, k) {
			outside = append(outside, k)
		}
		return "", true
	})
	if err != nil {
		s.refuse(file, 0, "le fichier ne se lit pas (%s).", detail(err))
		return map[string]string{}
	}
	for _, k := range outside {
		line := refLine(data, k)
		if line == 0 {
			line = envLine(data, k)
		}
		s.refuse(file, line, "%s prendrait sa valeur dans l'environnement de la machine de correction, refusé : écrivez la valeur dans .env.", k)
	}
	return env
}

// envLine is the line of an env file that sets k, 0 if none is found.
func envLine(data []byte, k string) int {
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimPrefix(l, "export ")
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), k); ok && (rest == "" || strings.ContainsAny(rest[:1], "= :")) {
			return i + 1
		}
	}
	return 0
}

// localPath resolves value, a path written in the file in folder base
// (slash-separated, relative to the student's folder), and says why it is
// refused if it is not a plain path inside the folder.
func localPath(base, value string) (string, string) {
	switch {
	case strings.Contains(value, "$"):
		return "", "le chemin dépend d'une variable"
	case strings.Contains(value, "://") || strings.HasPrefix(value, "git@") || strings.HasPrefix(value, "oci:"):
		return "", "c'est une ressource distante, que Docker Compose téléchargerait"
	case strings.HasPrefix(value, "~") || path.IsAbs(value) || filepath.IsAbs(value) || filepath.VolumeName(value) != "" || strings.HasPrefix(value, `\`):
		return "", "le chemin est absolu, hors du dossier"
	}
	p := path.Join(base, filepath.ToSlash(value))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", "le chemin sort du dossier"
	}
	return p, ""
}

// checkReferences refuses include and extends entries that point outside
// the folder, in file and in the files it names, and reports whether all
// of them are files of the folder.
func (s *state) checkReferences(file string, doc *yamlDoc, seen map[string]bool) bool {
	ok := true
	base := path.Dir(file)
	follow := func(what string, n *yaml.Node) {
		n = resolve(n)
		if n == nil || n.Kind != yaml.ScalarNode {
			return
		}
		p, why := localPath(base, n.Value)
		if why != "" {
			s.refuse(file, n.Line, "%s %s, refusé : %s.", what, n.Value, why)
			ok = false
			return
		}
		data, err := s.data(p)
		if err != nil {
			s.refuse(file, n.Line, "%s %s, refusé : ce n'est pas un fichier du dossier.", what, n.Value)
			ok = false
			return
		}
		if seen[p] {
			return
		}
		seen[p] = true
		// compose-go interpolates an included file with its own
		// environment: the variables it uses must be the folder's .env's.
		s.refuseVariables(p, data)
		if dir := path.Dir(p); dir != "." {
			if _, err := s.data(path.Join(dir, ".env")); err == nil {
				s.refuse(path.Join(dir, ".env"), 0, "un .env ailleurs qu'à la racine du dossier, refusé : le TP n'en a pas besoin et la vérification ne le lit pas.")
				ok = false
			}
		}
		sub, line, msg := parseYAML(data)
		if sub == nil {
			s.refuse(p, line, "le YAML ne se lit pas (%s) ; corrigez-le avant la vérification.", msg)
			ok = false
			return
		}
		if !s.checkReferences(p, sub, seen) {
			ok = false
		}
	}
	for _, item := range doc.items("include") {
		item = resolve(item)
		if item == nil {
			continue
		}
		if item.Kind == yaml.ScalarNode {
			follow("include", item)
			continue
		}
		if k, v := mapEntry(item, "path"); k != nil {
			if v = resolve(v); v != nil && v.Kind == yaml.SequenceNode {
				for _, p := range v.Content {
					follow("include", p)
				}
			} else {
				follow("include", v)
			}
		}
		if k, _ := mapEntry(item, "project_directory"); k != nil {
			s.refuse(file, k.Line, "include avec project_directory, refusé : le TP n'en a pas besoin et la vérification ne suivrait pas ses chemins.")
			ok = false
		}
		if k, _ := mapEntry(item, "env_file"); k != nil {
			s.refuse(file, k.Line, "include avec env_file, refusé : le TP n'en a pas besoin et la vérification ne suivrait pas ses variables.")
			ok = false
		}
	}
	services, _, _ := doc.node("services")
	if services = resolve(services); services != nil && services.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(services.Content); i += 2 {
			if _, v := mapEntry(services.Content[i+1], "extends"); v != nil {
				if _, f := mapEntry(v, "file"); f != nil {
					follow("extends: file:", f)
				}
			}
		}
	}
	return ok
}

// target is what a refusal is about: "le service api", and where it is in
// the Compose file.
type target struct {
	subject string
	path    []any
}

func (t target) at(more ...any) []any {
	return append(slices.Clip(t.path), more...)
}

// refuseKey refuses what t asks at key: "<subject> demande <what>,
// refusé : le TP n'en a pas besoin et <why>."
func (s *state) refuseKey(t target, key []any, what, why string) {
	s.refuse(s.compose, s.doc.line(t.at(key...)...), "%s demande %s, refusé : le TP n'en a pas besoin et %s.", t.subject, what, why)
}

// checkFilePaths refuses env_file and label_file entries outside the
// folder, reads those of the folder as readEnv does, and reports whether
// all env files, and all label files, are files of the folder.
func (s *state) checkFilePaths(p *types.Project) (envOK, labelsOK bool) {
	envOK, labelsOK = true, true
	read := map[string]bool{}
	check := func(t target, key string, i int, p string) {
		ok := &envOK
		if key == "label_file" {
			ok = &labelsOK
		}
		rel := s.rel(p)
		if !inside(s.absDir, p) {
			s.refuseKey(t, []any{key, i}, key+" "+p, "Docker Compose lirait un fichier hors du dossier")
			*ok = false
			return
		}
		data, err := s.data(rel)
		if err != nil {
			*ok = false // missing: Compose says so, or skips an optional one
			return
		}
		if !read[rel] {
			read[rel] = true
			s.readEnv(rel, data, s.env)
		}
	}
	for _, svc := range allServices(p) {
		t := target{"le service " + svc.Name, []any{"services", svc.Name}}
		specs := []struct {
			t    target
			spec *types.ContainerSpec
		}{{t, &svc.ContainerSpec}}
		for i := range svc.PreStart {
			specs = append(specs, struct {
				t    target
				spec *types.ContainerSpec
			}{target{fmt.Sprintf("le pre_start n° %d du service %s", i+1, svc.Name), t.at("pre_start", i)}, &svc.PreStart[i].ContainerSpec})
		}
		for _, sp := range specs {
			for i, f := range sp.spec.EnvFiles {
				check(sp.t, "env_file", i, f.Path)
			}
			for i, f := range sp.spec.LabelFiles {
				check(sp.t, "label_file", i, f)
			}
		}
	}
	return envOK, labelsOK
}

// allServices are the project's services, those a profile disables too,
// in name order.
func allServices(p *types.Project) []types.ServiceConfig {
	var out []types.ServiceConfig
	for _, m := range []types.Services{p.Services, p.DisabledServices} {
		for name, svc := range m {
			svc.Name = name
			out = append(out, svc)
		}
	}
	slices.SortFunc(out, func(a, b types.ServiceConfig) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// tpPorts are the ports the TP publishes: host port = container port.
var tpPorts = map[string]uint32{"api": 8000, "db": 5432}

// checkProject refuses what the project must not do.
func (s *state) checkProject(p *types.Project) {
	for _, svc := range allServices(p) {
		s.checkService(svc)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Jobs)) {
		s.refuse(s.compose, s.doc.line("jobs", name), "le job %s, refusé : le TP n'en a pas besoin et Docker Compose le lancerait à heure fixe.", name)
	}
	for _, name := range slices.Sorted(maps.Keys(p.DisabledJobs)) {
		s.refuse(s.compose, s.doc.line("jobs", name), "le job %s, refusé : le TP n'en a pas besoin et Docker Compose le lancerait à heure fixe.", name)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Networks)) {
		n := p.Networks[name]
		t := target{"le réseau " + name, []any{"networks", name}}
		if bool(n.External) {
			s.refuseKey(t, []any{"external"}, "external: true", "il désignerait un réseau hors du projet")
		}
		if n.Driver != "" && n.Driver != "bridge" {
			s.refuseKey(t, []any{"driver"}, "driver: "+n.Driver, "ce pilote pourrait relier les conteneurs au réseau de l'hôte")
		}
		if len(n.DriverOpts) > 0 {
			s.refuseKey(t, []any{"driver_opts"}, "driver_opts", "ces options changeraient le réseau de la machine de correction")
		}
		s.checkLabels(t, n.Labels, "labels")
	}
	for _, name := range slices.Sorted(maps.Keys(p.Volumes)) {
		v := p.Volumes[name]
		t := target{"le volume " + name, []any{"volumes", name}}
		if bool(v.External) {
			s.refuseKey(t, []any{"external"}, "external: true", "il désignerait un volume hors du projet")
		}
		if v.Driver != "" && v.Driver != "local" {
			s.refuseKey(t, []any{"driver"}, "driver: "+v.Driver, "ce pilote pourrait monter un dossier de l'hôte")
		}
		if len(v.DriverOpts) > 0 {
			s.refuseKey(t, []any{"driver_opts"}, "driver_opts", "ces options pourraient monter un dossier de l'hôte (type: none, o: bind)")
		}
		s.checkLabels(t, v.Labels, "labels")
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		s.checkFileObject(target{"le secret " + name, []any{"secrets", name}}, types.FileObjectConfig(p.Secrets[name]))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Configs)) {
		s.checkFileObject(target{"la config " + name, []any{"configs", name}}, types.FileObjectConfig(p.Configs[name]))
	}
	for _, name := range slices.Sorted(maps.Keys(p.Models)) {
		s.refuseKey(target{"le projet", []any{"models", name}}, nil, "le modèle "+name, "Docker Compose téléchargerait et lancerait un modèle d'IA")
	}
}

// checkFileObject refuses a secret or config read from the checker's
// files or environment.
func (s *state) checkFileObject(t target, o types.FileObjectConfig) {
	switch {
	case o.File != "":
		s.refuseKey(t, []any{"file"}, "file: "+o.File, "Docker Compose le lirait dans les fichiers de la machine de correction")
	case o.Environment != "":
		s.refuseKey(t, []any{"environment"}, "environment: "+o.Environment, "Docker Compose le lirait dans l'environnement de la machine de correction")
	case bool(o.External):
		s.refuseKey(t, []any{"external"}, "external: true", "il désignerait un secret hors du projet")
	}
	s.checkLabels(t, o.Labels, "labels")
}

// checkLabels refuses the labels of the harness (tpdocker.*).
func (s *state) checkLabels(t target, labels map[string]string, key string) {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if strings.HasPrefix(strings.ToLower(k), "tpdocker.") {
			s.refuseKey(t, []any{key}, "l'étiquette "+k, "les étiquettes tpdocker.* sont celles de l'outil de correction, qui s'en sert pour retrouver et nettoyer ce qu'il crée")
		}
	}
}

// checkService refuses what a service must not do.
func (s *state) checkService(svc types.ServiceConfig) {
	t := target{"le service " + svc.Name, []any{"services", svc.Name}}
	s.checkContainer(t, &svc.ContainerSpec)
	if svc.Net != "" {
		s.checkNamespace(t, "net", svc.Net, "le réseau", "service:")
	}
	for i, port := range svc.Ports {
		want, ok := tpPorts[svc.Name]
		if ok && port.Target == want && (port.Published == "" || port.Published == strconv.Itoa(int(want))) && (port.Protocol == "" || port.Protocol == "tcp") {
			continue
		}
		s.refuse(s.compose, s.portLine(svc, i), "%s publie le port %s, refusé : le TP ne publie que 8000:8000 (api) et 5432:5432 (db), un autre port ouvrirait la machine de correction.", t.subject, portText(port))
	}
	if svc.Build != nil {
		s.checkBuild(t, svc)
	}
	if svc.Provider != nil {
		s.refuseKey(t, []any{"provider"}, "provider", "Docker Compose lancerait un programme sur la machine de correction")
	}
	if len(svc.ExternalLinks) > 0 {
		s.refuseKey(t, []any{"external_links"}, "external_links", "le conteneur joindrait des conteneurs hors du projet")
	}
	if svc.Deploy != nil {
		for _, r := range []*types.Resource{svc.Deploy.Resources.Limits, svc.Deploy.Resources.Reservations} {
			if r != nil && len(r.Devices) > 0 {
				s.refuseKey(t, []any{"deploy", "resources"}, "des périphériques (deploy.resources.devices)", "le conteneur accéderait aux périphériques de l'hôte")
			}
		}
		s.checkLabels(t, svc.Deploy.Labels, "deploy")
	}
	for i, h := range svc.PostStart {
		if h.Privileged {
			s.refuseKey(t, []any{"post_start", i, "privileged"}, "un post_start avec privileged: true", "la commande aurait tout l'hôte")
		}
	}
	for i, h := range svc.PreStop {
		if h.Privileged {
			s.refuseKey(t, []any{"pre_stop", i, "privileged"}, "un pre_stop avec privileged: true", "la commande aurait tout l'hôte")
		}
	}
	for i := range svc.PreStart {
		s.checkContainer(target{fmt.Sprintf("le pre_start n° %d du service %s", i+1, svc.Name), t.at("pre_start", i)}, &svc.PreStart[i].ContainerSpec)
	}
}

// checkNamespace refuses a namespace mode other than the container's own
// or another service's: host, container:…, or a name outside the project.
func (s *state) checkNamespace(t target, key, mode, what string, allowed ...string) {
	for _, a := range allowed {
		if mode == a || (strings.HasSuffix(a, ":") && strings.HasPrefix(mode, a)) {
			return
		}
	}
	why := "le conteneur partagerait " + what + " d'un conteneur hors du projet"
	if mode == "host" {
		why = "le conteneur partagerait " + what + " de la machine de correction"
	}
	s.refuseKey(t, []any{key}, key+": "+mode, why)
}

// checkContainer refuses what a container must not be given.
func (s *state) checkContainer(t target, c *types.ContainerSpec) {
	if c.Privileged {
		s.refuseKey(t, []any{"privileged"}, "privileged: true", "il donnerait au conteneur tout l'hôte")
	}
	for i, v := range c.Volumes {
		switch v.Type {
		case types.VolumeTypeVolume, types.VolumeTypeTmpfs, types.VolumeTypeImage:
		case types.VolumeTypeBind:
			s.refuseKey(t, []any{"volumes", i}, "le montage du dossier de l'hôte "+s.hostPath(v.Source)+" sur "+v.Target, "le conteneur lirait ou modifierait les fichiers de la machine de correction (seuls les volumes nommés sont acceptés)")
		default:
			s.refuseKey(t, []any{"volumes", i}, "un montage de type "+v.Type, "il donnerait au conteneur une ressource de l'hôte (seuls les volumes nommés sont acceptés)")
		}
	}
	if c.NetworkMode != "" {
		s.checkNamespace(t, "network_mode", c.NetworkMode, "le réseau", "bridge", "default", "none", "service:")
	}
	if c.Pid != "" {
		s.checkNamespace(t, "pid", c.Pid, "les processus", "service:")
	}
	if c.Ipc != "" {
		s.checkNamespace(t, "ipc", c.Ipc, "la mémoire partagée", "private", "shareable", "none", "service:")
	}
	if c.Uts != "" {
		s.checkNamespace(t, "uts", c.Uts, "le nom d'hôte")
	}
	if c.UserNSMode != "" {
		s.checkNamespace(t, "userns_mode", c.UserNSMode, "les utilisateurs")
	}
	if c.Cgroup != "" {
		s.checkNamespace(t, "cgroup", c.Cgroup, "les cgroups", "private")
	}
	lists := []struct {
		key  string
		n    int
		why  string
		what string
	}{
		{"devices", len(c.Devices), "le conteneur accéderait aux périphériques de l'hôte", "devices"},
		{"device_cgroup_rules", len(c.DeviceCgroupRules), "le conteneur accéderait aux périphériques de l'hôte", "device_cgroup_rules"},
		{"gpus", len(c.Gpus), "le conteneur accéderait aux cartes graphiques de l'hôte", "gpus"},
		{"cap_add", len(c.CapAdd), "ces capacités élargiraient les droits du conteneur sur l'hôte", "cap_add: " + strings.Join(c.CapAdd, ", ")},
		{"security_opt", len(c.SecurityOpt), "ces options affaibliraient le confinement du conteneur", "security_opt: " + strings.Join(c.SecurityOpt, ", ")},
		{"sysctls", len(c.Sysctls), "ils changeraient des réglages du noyau", "sysctls"},
		{"volumes_from", len(c.VolumesFrom), "le conteneur monterait les volumes d'un autre conteneur", "volumes_from"},
		{"runtime", len(c.Runtime), "un autre runtime changerait l'isolation du conteneur", "runtime: " + c.Runtime},
		{"cgroup_parent", len(c.CgroupParent), "le conteneur sortirait des limites prévues pour lui", "cgroup_parent: " + c.CgroupParent},
		{"volume_driver", len(c.VolumeDriver), "ce pilote de volume pourrait monter un dossier de l'hôte", "volume_driver: " + c.VolumeDriver},
		{"models", len(c.Models), "Docker Compose téléchargerait et lancerait un modèle d'IA", "models"},
	}
	for _, l := range lists {
		if l.n > 0 {
			s.refuseKey(t, []any{l.key}, l.what, l.why)
		}
	}
	if c.UseAPISocket {
		s.refuseKey(t, []any{"use_api_socket"}, "use_api_socket: true", "le conteneur piloterait le moteur Docker de la machine de correction")
	}
	s.checkLabels(t, c.Labels, "labels")
	for _, k := range slices.Sorted(maps.Keys(c.Environment)) {
		if c.Environment[k] == nil {
			s.refuse(s.compose, s.envLine(t, k), "%s : la variable d'environnement %s n'a pas de valeur, refusé : Docker Compose y mettrait celle de la machine de correction ; écrivez la valeur.", t.subject, k)
		}
	}
}

// valueless lists the entries of the mapping or "KEY=value" list at path
// that have no value.
func (s *state) valueless(path []any) []string {
	n, _, ok := s.doc.node(path...)
	if n = resolve(n); !ok || n == nil {
		return nil
	}
	var out []string
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := resolve(n.Content[i+1]); v == nil || v.Tag == "!!null" {
				out = append(out, n.Content[i].Value)
			}
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item = resolve(item); item != nil && item.Kind == yaml.ScalarNode && !strings.Contains(item.Value, "=") {
				out = append(out, item.Value)
			}
		}
	}
	return out
}

// hostPath is a bind mount's source, relative to the folder if it is in it.
func (s *state) hostPath(p string) string {
	if inside(s.absDir, p) {
		if rel, err := filepath.Rel(s.absDir, p); err == nil {
			return "./" + filepath.ToSlash(rel)
		}
	}
	return p
}

// checkBuild refuses what a build must not do, and reads its Dockerfile.
func (s *state) checkBuild(t target, svc types.ServiceConfig) {
	b := svc.Build
	bt := target{t.subject, t.at("build")}
	local := true
	switch ctx := b.Context; {
	case strings.Contains(ctx, "://") || strings.HasPrefix(ctx, types.ServicePrefix) || strings.HasPrefix(ctx, "git@") || strings.HasPrefix(ctx, "github.com/"):
		s.refuseKey(bt, []any{"context"}, "la construction depuis "+ctx, "ce contexte est hors du dossier")
		local = false
	case !inside(s.absDir, ctx):
		s.refuseKey(bt, []any{"context"}, "la construction depuis "+ctx, "ce contexte est hors du dossier")
		local = false
	}
	dockerfile := ""
	if b.Dockerfile != "" && b.DockerfileInline == "" {
		dockerfile = b.Dockerfile
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(b.Context, dockerfile)
		}
		if local && !inside(s.absDir, dockerfile) {
			s.refuseKey(bt, []any{"dockerfile"}, "le Dockerfile "+b.Dockerfile, "il est hors du dossier")
			local = false
		}
	}
	if len(b.AdditionalContexts) > 0 {
		s.refuseKey(bt, []any{"additional_contexts"}, "additional_contexts", "la construction lirait des contextes hors du dossier")
	}
	if b.Network == "host" {
		s.refuseKey(bt, []any{"network"}, "une construction avec network: host", "elle partagerait le réseau de la machine de correction")
	}
	if b.Privileged {
		s.refuseKey(bt, []any{"privileged"}, "une construction privileged: true", "elle aurait tout l'hôte")
	}
	if len(b.Entitlements) > 0 {
		s.refuseKey(bt, []any{"entitlements"}, "entitlements: "+strings.Join(b.Entitlements, ", "), "ces droits laisseraient la construction sortir de son bac à sable")
	}
	if len(b.Secrets) > 0 {
		s.refuseKey(bt, []any{"secrets"}, "des secrets de construction", "la construction lirait les secrets de la machine de correction")
	}
	if len(b.SSH) > 0 {
		s.refuseKey(bt, []any{"ssh"}, "ssh", "la construction utiliserait l'agent SSH de la machine de correction")
	}
	if len(b.CacheFrom) > 0 {
		s.refuseKey(bt, []any{"cache_from"}, "cache_from", "la construction lirait un cache hors du dossier")
	}
	if len(b.CacheTo) > 0 {
		s.refuseKey(bt, []any{"cache_to"}, "cache_to", "la construction écrirait un cache hors du dossier")
	}
	if len(b.Tags) > 0 {
		s.refuseKey(bt, []any{"tags"}, "tags: "+strings.Join(b.Tags, ", "), "ces noms pourraient remplacer des images de la machine de correction")
	}
	if svc.Image != "" && labImage(svc.Image) {
		s.refuseKey(t, []any{"image"}, "build avec image: "+svc.Image, "l'image construite remplacerait l'image "+svc.Image+" du TP sur la machine de correction")
	}
	for _, k := range slices.Sorted(maps.Keys(b.Args)) {
		if strings.HasPrefix(strings.ToUpper(k), "BUILDKIT_") {
			s.refuseKey(bt, []any{"args"}, "l'argument "+k, "il changerait le comportement de BuildKit (BUILDKIT_SYNTAX lui ferait exécuter une autre image)")
		}
	}
	// An argument without a value takes the environment's: compose-go
	// drops it when .env does not set it, Docker Compose would not.
	for _, k := range s.valueless(bt.at("args")) {
		if _, ok := s.env[k]; !ok {
			s.refuseKey(bt, []any{"args"}, "l'argument "+k+" sans valeur", "Docker Compose y mettrait la valeur de la machine de correction")
		}
	}
	s.checkLabels(bt, b.Labels, "labels")

	if b.DockerfileInline != "" {
		s.readDockerfile(s.compose, s.doc.line(bt.at("dockerfile_inline")...), []byte(b.DockerfileInline))
		return
	}
	if !local {
		return
	}
	if src, ok := s.staged[s.rel(dockerfile)]; ok && !s.seenDockerfile(src) {
		data, _ := s.data(src)
		s.readDockerfile(src, 0, data)
	}
}

// labImages are the official images the lab runs (engine.LabImages): a
// build must not take their names on the checker's engine.
var labImages = []string{"hello-world", "alpine", "python", "postgres"}

// labImage reports whether ref names one of labImages, whatever its tag.
func labImage(ref string) bool {
	named, err := reference.ParseNormalizedNamed(strings.ToLower(ref))
	return err == nil && slices.Contains(labImages, reference.FamiliarName(named))
}

// rel is p (absolute) relative to the folder, slash-separated.
func (s *state) rel(p string) string {
	r, err := filepath.Rel(s.absDir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// portText writes a published port as the short syntax does.
func portText(p types.ServicePortConfig) string {
	t := strconv.Itoa(int(p.Target))
	if p.Published != "" {
		t = p.Published + ":" + t
	}
	if p.HostIP != "" {
		t = p.HostIP + ":" + t
	}
	if p.Protocol != "" && p.Protocol != "tcp" {
		t += "/" + p.Protocol
	}
	return t
}

// portLine is the line of a service's i-th port: the i-th item of ports
// when the file writes them one by one, the ports key otherwise.
func (s *state) portLine(svc types.ServiceConfig, i int) int {
	if items := s.doc.items("services", svc.Name, "ports"); len(items) == len(svc.Ports) {
		return items[i].Line
	}
	return s.doc.line("services", svc.Name, "ports")
}

// envLine is the line that sets the variable k in t's environment (map or
// list syntax), or of the environment key.
func (s *state) envLine(t target, k string) int {
	n, line, ok := s.doc.node(t.at("environment")...)
	if !ok {
		return line
	}
	if kl, _ := mapEntry(n, k); kl != nil {
		return kl.Line
	}
	if n = resolve(n); n != nil && n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if name, _, _ := strings.Cut(item.Value, "="); name == k {
				return item.Line
			}
		}
	}
	return line
}
