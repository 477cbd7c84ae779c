package record

// Re-making some records of the site (go test -run TestTP/ex5 -update)
// keeps the stand-ins they share with the others: an ID that several
// scripts show (a base image's digest, an image) has, in the records, the
// stand-in of the first script that showed it, which may not be re-made.
// A file beside the records keeps, for each such ID, a hash of the real ID
// and its stand-in; a run that does not re-make that first script gives the
// ID the same stand-in again.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// KeptFile is the file of shared stand-ins, beside the records' folder
// (site/data/placeholders.json for site/data/runs).
func KeptFile(recordDir string) string {
	return filepath.Join(filepath.Dir(recordDir), "placeholders.json")
}

type keptFile struct {
	IDs map[string]KeptID `json:"ids"`
}

// NormaliseRun normalises the records of a run as NormaliseAll does,
// keeping the stand-ins that the records not re-made share with them (see
// KeptFile); with write, it updates the file for the next run. A file that
// cannot be read or written is said on standard error: the records are
// still made, their shared IDs then maybe under new stand-ins.
func NormaliseRun(records []*Result, runID string, created map[string][]Container, recordDir string, write bool) {
	if err := normaliseKeeping(records, runID, created, KeptFile(recordDir), write); err != nil {
		fmt.Fprintln(os.Stderr, "tpdocker :", err)
	}
}

func normaliseKeeping(records []*Result, runID string, created map[string][]Container, file string, write bool) error {
	ph := NewPlaceholders()
	var errs []error
	var old keptFile
	switch data, err := os.ReadFile(file); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		errs = append(errs, err)
	default:
		if err := json.Unmarshal(data, &old); err != nil {
			errs = append(errs, fmt.Errorf("%s illisible (%v) : refaites tous les enregistrements (go test -update)", file, err))
		}
	}
	for k, v := range old.IDs {
		if len(v.ID) == 64 {
			ph.kept[k] = v
		}
	}
	for _, r := range records {
		ph.remade[r.Script] = true
	}
	normaliseWith(records, runID, created, ph)
	if write {
		// An entry stays while a record not re-made shows it; this run's
		// records say the rest.
		next := keptFile{IDs: map[string]KeptID{}}
		others := map[string][]string{} // entry -> scripts not re-made that show it
		for k, v := range ph.kept {
			for _, s := range v.Shown {
				if !ph.remade[s] {
					others[k] = append(others[k], s)
				}
			}
			if len(others[k]) > 0 {
				next.IDs[k] = KeptID{Script: v.Script, ID: v.ID, Shown: others[k]}
			}
		}
		for real, k := range ph.ids {
			key := IDKey(real)
			shown := map[string]bool{}
			for s := range ph.shownBy[k-1] {
				shown[s] = true
			}
			for _, s := range others[key] {
				shown[s] = true
			}
			if len(shown) < 2 && ph.remade[ph.owner[k-1]] {
				continue
			}
			v := KeptID{Script: ph.owner[k-1], ID: ph.idHex[k-1]}
			for s := range shown {
				v.Shown = append(v.Shown, s)
			}
			sort.Strings(v.Shown)
			next.IDs[key] = v
		}
		if err := writeKept(file, next); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func writeKept(file string, k keptFile) error {
	// encoding/json writes a map's keys in order: the file is stable.
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(data, '\n'), 0o644)
}
