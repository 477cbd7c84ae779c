package main

import "strings"

// What GitHub's runner does with a step's output, line by line (actions/runner,
// ActionCommand.TryParseV2 and TryParse, ActionCommandManager): a line that
// starts, after leading white space, with "::name props::data", or that
// holds "##[name props]data" anywhere, is a command if name is known;
// after ::stop-commands::TOKEN, every command is ignored until one named
// TOKEN.

// wfCommand is a workflow command the runner processed.
type wfCommand struct {
	name  string
	props map[string]string
	data  string
	line  string
}

var knownCommands = []string{"error", "warning", "notice", "debug", "add-mask", "set-output", "set-env",
	"add-path", "save-state", "group", "endgroup", "echo", "add-matcher", "remove-matcher", "stop-commands"}

func unescape(s string, pairs ...string) string {
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i+1], pairs[i])
	}
	return s
}

func unescapeData(s string) string { return unescape(s, "\r", "%0D", "\n", "%0A", "%", "%25") }
func unescapeProperty(s string) string {
	return unescape(s, "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C", "%", "%25")
}

// parseLine parses one line as the runner does; known holds lower-case names.
func parseLine(line string, known map[string]bool) (wfCommand, bool) {
	l := strings.TrimLeft(line, " \t\r\v\f")
	if strings.HasPrefix(l, "::") {
		if end := strings.Index(l[2:], "::"); end >= 0 {
			info := l[2 : 2+end]
			name, props, _ := strings.Cut(info, " ")
			if known[strings.ToLower(name)] {
				c := wfCommand{name: name, props: map[string]string{}, data: unescapeData(l[2+end+2:]), line: line}
				for _, p := range strings.Split(strings.TrimSpace(props), ",") {
					if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
						c.props[k] = unescapeProperty(v)
					}
				}
				return c, true
			}
		}
	}
	if i := strings.Index(line, "##["); i >= 0 {
		if rb := strings.Index(line[i:], "]"); rb >= 0 {
			info := line[i+3 : i+rb]
			name, _, _ := strings.Cut(info, " ")
			if known[strings.ToLower(name)] {
				return wfCommand{name: name, data: line[i+rb+1:], line: line}, true
			}
		}
	}
	return wfCommand{}, false
}

// runnerCommands are the commands the runner would process in out; with
// obeyStop false, ::stop-commands:: is ignored (what an unwrapped output
// would do).
func runnerCommands(out string, obeyStop bool) []wfCommand {
	known := map[string]bool{}
	for _, k := range knownCommands {
		known[k] = true
	}
	var done []wfCommand
	stopped, token := false, ""
	for _, line := range strings.Split(out, "\n") {
		c, ok := parseLine(strings.TrimSuffix(line, "\r"), known)
		if !ok {
			continue
		}
		name := strings.ToLower(c.name)
		switch {
		case stopped:
			if token != "" && name == token {
				stopped = false
				delete(known, token)
				done = append(done, c)
			}
		case obeyStop && name == "stop-commands":
			stopped, token = true, strings.ToLower(c.data)
			known[token] = true
			done = append(done, c)
		default:
			done = append(done, c)
		}
	}
	return done
}
