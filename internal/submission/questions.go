package submission

// Question 5.b: the Compose file declares db (postgres:16, the demo user,
// password and base, 5432:5432) and api (built from a folder that holds a
// Dockerfile, 8000:8000, after db).

import (
	"path/filepath"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// checkServices records the checks of 5.b, and the Compose parts of the
// hints of 4.a and 5.b.
func (s *state) checkServices(p *types.Project, data []byte) {
	name := s.compose
	hint := func(q string, line int) {
		if line > 0 {
			s.hint(q, name, line, quoteLine(data, line))
		}
	}

	db, hasDB := p.Services["db"]
	api, hasAPI := p.Services["api"]
	if !hasDB {
		s.check("5.b", false, name, s.doc.line("services"), "aucun service db (attendu : un service db avec image: postgres:16)")
	} else {
		s.check("5.b", true, name, s.doc.line("services", "db"), "le service db est déclaré")
	}
	if !hasAPI {
		s.check("5.b", false, name, s.doc.line("services"), "aucun service api (attendu : un service api avec build: ./api)")
	} else {
		s.check("5.b", true, name, s.doc.line("services", "api"), "le service api est déclaré")
	}

	if hasDB {
		db.Name = "db"
		line := s.doc.line("services", "db", "image")
		switch {
		case db.Image == "":
			s.check("5.b", false, name, line, "le service db n'a pas d'image, le TP demande image: postgres:16")
		case isImage(db.Image, "postgres", "16"):
			s.check("5.b", true, name, line, "le service db utilise l'image postgres:16")
		default:
			s.check("5.b", false, name, line, "image: %s, le TP demande postgres:16", db.Image)
		}
		hint("5.b", s.doc.exactLine("services", "db", "image"))

		t := target{"le service db", []any{"services", "db"}}
		for _, k := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
			line := s.envLine(t, k)
			v := db.Environment[k]
			switch {
			case v == nil:
				s.check("5.b", false, name, line, "le service db ne définit pas %s (attendu : %s: demo)", k, k)
			case *v == "demo":
				s.check("5.b", true, name, line, "%s vaut demo", k)
			default:
				s.check("5.b", false, name, line, "%s vaut « %s », le TP demande demo", k, *v)
			}
			if v != nil {
				hint("5.b", line)
			}
		}
		s.checkPublished(db, hint)
	}

	if hasAPI {
		api.Name = "api"
		s.checkAPIBuild(api)
		s.checkPublished(api, hint)
		line := s.doc.line("services", "api", "depends_on")
		if _, ok := api.DependsOn["db"]; ok {
			if items := s.doc.items("services", "api", "depends_on"); len(items) > 0 {
				for _, it := range items {
					if it.Value == "db" {
						line = it.Line
					}
				}
			} else if l := s.doc.exactLine("services", "api", "depends_on", "db"); l > 0 {
				line = l
			}
			s.check("5.b", true, name, line, "le service api dépend de db")
		} else {
			s.check("5.b", false, name, line, "le service api ne dépend pas de db (attendu : depends_on: - db)")
		}
	}
	// The lab names what Compose creates: containers tpdocker-api-1 and
	// tpdocker-db-1, the image tpdocker-api. A name of the student's own
	// would fail 5.c on a name, not on an answer: 5.b says it first.
	for _, svc := range []struct {
		name string
		ok   bool
		cfg  types.ServiceConfig
	}{{"api", hasAPI, api}, {"db", hasDB, db}} {
		if !svc.ok {
			continue
		}
		if c := svc.cfg.ContainerName; c != "" {
			s.check("5.b", false, name, s.doc.line("services", svc.name, "container_name"),
				"container_name: %s, le TP laisse Compose nommer le conteneur (tpdocker-%s-1, que les commandes du TP emploient) : retirez cette ligne", c, svc.name)
		}
	}
	if hasAPI && api.Build != nil && api.Image != "" {
		s.check("5.b", false, name, s.doc.line("services", "api", "image"),
			"image: %s à côté de build, le TP laisse Compose nommer l'image de l'API (tpdocker-api) : retirez cette ligne", api.Image)
	}
}

// checkPublished: the service publishes its TP port on the same host port.
func (s *state) checkPublished(svc types.ServiceConfig, hint func(string, int)) {
	want := tpPorts[svc.Name]
	published := strconv.Itoa(int(want))
	for i, port := range svc.Ports {
		if port.Target == want && port.Published == published {
			line := s.portLine(svc, i)
			s.check("5.b", true, s.compose, line, "le service %s publie %s:%s", svc.Name, published, published)
			hint("5.b", line)
			if svc.Name == "api" {
				hint("4.a", line)
			}
			return
		}
	}
	line := s.doc.line("services", svc.Name, "ports")
	s.check("5.b", false, s.compose, line, `le service %s ne publie pas %s:%s (attendu : ports: - "%s:%s")`, svc.Name, published, published, published, published)
	if l := s.doc.exactLine("services", svc.Name, "ports"); l > 0 {
		hint("5.b", l)
		if svc.Name == "api" {
			hint("4.a", l)
		}
	}
}

// checkAPIBuild: api is built from a folder that holds its Dockerfile, as
// staged (in the "tp" layout, ./api is the folder itself).
func (s *state) checkAPIBuild(api types.ServiceConfig) {
	name := s.compose
	line := s.doc.line("services", "api", "build")
	b := api.Build
	if b == nil {
		s.check("5.b", false, name, line, "le service api n'a pas de build (attendu : build: ./api)")
		return
	}
	if b.DockerfileInline != "" {
		s.check("5.b", true, name, line, "le service api se construit depuis son dockerfile_inline")
		return
	}
	if !inside(s.absDir, b.Context) {
		s.check("5.b", false, name, line, "le contexte de construction du service api est hors du dossier")
		return
	}
	ctx := s.rel(b.Context)
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	shown := "./" + ctx
	if ctx == "." {
		shown = "."
	}
	if _, ok := s.staged[s.rel(joinPath(b.Context, dockerfile))]; ok {
		s.check("5.b", true, name, line, "le service api se construit depuis %s, qui contient %s", shown, dockerfile)
		return
	}
	s.check("5.b", false, name, line, "le service api se construit depuis %s, qui ne contient pas %s (attendu : build: ./api, le dossier de app.py et du Dockerfile)", shown, dockerfile)
}

// joinPath joins a Dockerfile name to its context unless it is absolute.
func joinPath(ctx, dockerfile string) string {
	if filepath.IsAbs(dockerfile) {
		return dockerfile
	}
	return filepath.Join(ctx, dockerfile)
}
