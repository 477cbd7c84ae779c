package submission

// Question 3.a: app.py declares a GET route /health.

import (
	"bytes"
	"regexp"
	"strings"
)

// routeRE finds a route declared for "/health": a decorator
// (@app.get("/health"), @router.api_route(path='/health')…) or a call to
// add_api_route / add_route. The decorator may span lines. Group 1 is the
// method of a decorator, empty for a call.
var routeRE = regexp.MustCompile(`(?m)(?:^[ \t]*@[ \t]*[\w.]+?[ \t]*\.[ \t]*(\w+)[ \t]*\(\s*|\.add_(?:api_)?route[ \t]*\(\s*)(?:path\s*=\s*)?[rRuU]?(?:"/health"|'/health')`)

// getMethods are the decorators that answer GET.
var getMethods = map[string]bool{"get": true, "api_route": true, "route": true}

// appFile is the student's app.py in the layout.
func (s *state) appFile() string {
	if s.layout == LayoutAPI {
		return "api/app.py"
	}
	return "app.py"
}

func (s *state) checkApp() {
	name := s.appFile()
	data, err := s.data(name)
	if err != nil {
		return // missing: the refusal says so
	}
	var wrong string
	wrongLine := 0
	for _, m := range routeRE.FindAllSubmatchIndex(data, -1) {
		line := bytes.Count(data[:m[0]], []byte("\n")) + 1
		// The match may begin on the blank lines before a decorator.
		line += leadingNewlines(data[m[0]:m[1]])
		method := ""
		if m[2] >= 0 {
			method = strings.ToLower(string(data[m[2]:m[3]]))
		}
		if method == "" || getMethods[method] {
			s.check("3.a", true, name, line, "la route GET /health est déclarée")
			s.hint("3.a", name, line, quoteLine(data, line))
			return
		}
		if wrong == "" {
			wrong, wrongLine = strings.ToUpper(method), line
		}
	}
	if wrong != "" {
		s.check("3.a", false, name, wrongLine, `la route /health est déclarée en %s, le TP demande GET (attendu : @app.get("/health"))`, wrong)
		s.hint("3.a", name, wrongLine, quoteLine(data, wrongLine))
		return
	}
	msg := name + ` ne déclare aucune route /health (attendu : @app.get("/health"))`
	s.record("3.a", false, name, 0, msg)
	s.hint("3.a", "", 0, msg)
}

func leadingNewlines(b []byte) int {
	return bytes.Count(b[:len(b)-len(bytes.TrimLeft(b, " \t\r\n"))], []byte("\n"))
}
