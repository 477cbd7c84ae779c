package submission

// Reading the student's folder: every regular file into memory, within the
// limits, through an os.Root so that nothing outside the folder is ever
// opened; the layout; the staged view (what Stage writes, and where each
// staged file comes from).

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The limits of a folder.
const (
	maxFileSize  = 1 << 20  // one file
	maxFiles     = 200      // regular files
	maxTotalSize = 10 << 20 // all files together
	maxEntries   = 2000     // what the walk visits before it gives up
	maxListed    = 5        // offending names quoted in one reason
)

// composeNames are the Compose file names Docker Compose looks for, in its
// order.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// file is a regular file of the folder, as read by Load.
type file struct {
	data []byte
	exec bool // an executable bit is set
}

// folder is what the walk found.
type folder struct {
	files map[string]file // slash-separated path relative to the folder
	// links and specials are the symbolic links and special files found:
	// their presence alone refuses the folder.
	links, specials []string
}

// readFolder reads every regular file of dir (the .git folder aside: it is
// neither read nor staged) and returns it with the reasons to refuse the
// folder that the walk itself finds.
func readFolder(dir string) (*folder, []string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, []string{fmt.Sprintf("%s : dossier introuvable.", dir)}
		}
		return nil, []string{fmt.Sprintf("%s : ce dossier ne s'ouvre pas (%s).", dir, oneLine(err.Error()))}
	}
	defer root.Close()

	f := &folder{files: map[string]file{}}
	var reasons, big, badNames, unreadable []string
	var total int64
	entries, count := 0, 0
	walkErr := fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			unreadable = append(unreadable, p)
			return nil
		}
		if p == "." {
			return nil
		}
		entries++
		if entries > maxEntries {
			return fs.SkipAll
		}
		if badName(p) {
			badNames = append(badNames, strconv.Quote(p))
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case d.IsDir():
			if d.Name() == ".git" {
				return fs.SkipDir
			}
			return nil
		case t&fs.ModeSymlink != 0:
			f.links = append(f.links, p)
			return nil
		case !t.IsRegular():
			f.specials = append(f.specials, p)
			return nil
		}
		count++
		if count > maxFiles {
			return nil
		}
		data, exec, size, err := readRegular(root, p)
		switch {
		case errors.Is(err, errTooBig):
			big = append(big, fmt.Sprintf("%s (%s)", p, mebibytes(size)))
			total += size
		case errors.Is(err, errNotRegular):
			f.specials = append(f.specials, p)
		case err != nil:
			unreadable = append(unreadable, p)
		default:
			total += size
			f.files[p] = file{data: data, exec: exec}
		}
		return nil
	})
	if walkErr != nil {
		reasons = append(reasons, fmt.Sprintf("%s : ce dossier ne se lit pas (%s).", dir, oneLine(walkErr.Error())))
	}
	if len(f.links) > 0 {
		reasons = append(reasons, fmt.Sprintf("lien symbolique refusé : %s ; un lien pourrait désigner un fichier hors du dossier, remplacez-le par le fichier lui-même.", listNames(f.links)))
	}
	if len(f.specials) > 0 {
		reasons = append(reasons, fmt.Sprintf("fichier spécial refusé (ni fichier ordinaire ni dossier) : %s.", listNames(f.specials)))
	}
	if len(badNames) > 0 {
		reasons = append(reasons, fmt.Sprintf("nom de fichier refusé (caractère de contrôle ou composant « .. ») : %s.", listNames(badNames)))
	}
	if len(unreadable) > 0 {
		reasons = append(reasons, fmt.Sprintf("fichier illisible : %s.", listNames(unreadable)))
	}
	if entries > maxEntries {
		reasons = append(reasons, fmt.Sprintf("dossier trop grand : plus de %d entrées, le TP tient en quelques fichiers (retirez par exemple .venv ou node_modules).", maxEntries))
	} else if count > maxFiles {
		reasons = append(reasons, fmt.Sprintf("trop de fichiers : %d, au plus %d (retirez par exemple .venv, __pycache__ ou node_modules).", count, maxFiles))
	}
	if len(big) > 0 {
		reasons = append(reasons, fmt.Sprintf("fichier trop gros (au plus 1 Mio chacun) : %s.", listNames(big)))
	}
	if total > maxTotalSize {
		reasons = append(reasons, fmt.Sprintf("dossier trop gros : %s en tout, au plus 10 Mio.", mebibytes(total)))
	}
	return f, reasons
}

var (
	errTooBig     = errors.New("too big")
	errNotRegular = errors.New("not a regular file")
)

// readRegular reads the regular file p of root, at most maxFileSize bytes.
// The file is checked again once open: it may have been replaced since the
// walk listed it.
func readRegular(root *os.Root, p string) (data []byte, exec bool, size int64, err error) {
	fh, err := root.OpenFile(p, os.O_RDONLY, 0)
	if err != nil {
		return nil, false, 0, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, false, 0, err
	}
	if !info.Mode().IsRegular() {
		return nil, false, 0, errNotRegular
	}
	if info.Size() > maxFileSize {
		return nil, false, info.Size(), errTooBig
	}
	data, err = io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, false, 0, err
	}
	if len(data) > maxFileSize {
		return nil, false, int64(len(data)), errTooBig
	}
	return data, info.Mode()&0o111 != 0, int64(len(data)), nil
}

// badName reports a path that could not be quoted on one line, or that has
// a ".." component.
func badName(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return strings.ContainsFunc(p, unicode.IsControl)
}

// listNames quotes at most maxListed names, and says how many more there are.
func listNames(names []string) string {
	slices.Sort(names)
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s et %d autres", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}

func mebibytes(n int64) string {
	return strings.Replace(fmt.Sprintf("%.1f Mio", float64(n)/(1<<20)), ".", ",", 1)
}

// The two layouts.
const (
	LayoutTP  = "tp"  // app.py, Dockerfile and the Compose file side by side
	LayoutAPI = "api" // the Compose file, with api/app.py and api/Dockerfile
)

// layoutsText says which two layouts are accepted, for the reasons that
// name missing files.
const layoutsText = "deux dispositions sont acceptées : app.py, Dockerfile et docker-compose.yml côte à côte, ou docker-compose.yml avec api/app.py et api/Dockerfile"

// findLayout chooses the folder's layout and names its Compose file. It
// returns the reasons to refuse the folder if files are missing or if
// several Compose files are present.
func findLayout(f *folder) (layout, compose string, reasons []string) {
	var found []string
	for _, n := range composeNames {
		if _, ok := f.files[n]; ok {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
	case 1:
		compose = found[0]
	default:
		reasons = append(reasons, fmt.Sprintf("plusieurs fichiers Compose : %s ; gardez-en un seul, docker-compose.yml.", strings.Join(found, ", ")))
		compose = found[len(found)-1]
	}

	has := func(p string) bool { _, ok := f.files[p]; return ok }
	layout = LayoutTP
	apiScore := btoi(has("api/app.py")) + btoi(has("api/Dockerfile"))
	tpScore := btoi(has("app.py")) + btoi(has("Dockerfile"))
	if has("api/Dockerfile") || apiScore > tpScore {
		layout = LayoutAPI
	}
	var missing []string
	for _, p := range layoutFiles(layout) {
		if !has(p) {
			missing = append(missing, p)
		}
	}
	if len(found) == 0 {
		missing = append(missing, "docker-compose.yml")
	}
	if len(missing) > 0 {
		reasons = append(reasons, fmt.Sprintf("il manque %s : %s.", joinFrench(missing), layoutsText))
	}
	return layout, compose, reasons
}

// layoutFiles are the TP's files in a layout, the Compose file aside.
func layoutFiles(layout string) []string {
	if layout == LayoutAPI {
		return []string{"api/app.py", "api/Dockerfile"}
	}
	return []string{"app.py", "Dockerfile"}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// joinFrench joins names as French does: "a", "a et b", "a, b et c".
func joinFrench(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " et " + names[len(names)-1]
}

// staging maps each path that Stage writes, relative to its destination,
// to the student's file it copies, relative to the folder.
func staging(f *folder, layout, compose string) map[string]string {
	out := map[string]string{}
	for p := range f.files {
		if p == compose {
			continue
		}
		out[p] = p
	}
	if layout == LayoutTP {
		// The folder is also the api folder: its own files win there.
		for p := range f.files {
			if p != compose {
				out[path.Join("api", p)] = p
			}
		}
	}
	if compose != "" {
		out["docker-compose.yml"] = compose
	}
	return out
}
