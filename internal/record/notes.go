package record

import (
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Note is one entry of site/data/notes.yaml: a note the site shows beside
// every recorded output that Match (a regular expression) matches, of a
// kind that says what differs (a stand-in image, a client, an image store).
type Note struct {
	Match    string           `yaml:"match"`
	Kind     string           `yaml:"kind"`
	Text     string           `yaml:"text"`
	Official []OfficialSample `yaml:"official"` // for a stand-in's note: what the official image prints
}

// OfficialSample is what an official image prints for one step of a
// script, as site/data/notes.yaml gives it under a stand-in's note.
type OfficialSample struct {
	Script string `yaml:"script"`
	Cmd    string `yaml:"cmd"` // as the record writes it (DisplayCommand)
	Nth    int    `yaml:"nth"` // which occurrence of Cmd in the script, from 1 (0: the first)
	Tty    string `yaml:"tty"` // an interactive session: what its window shows (the script's stdout)
	Stdout string `yaml:"stdout"`
	Stderr string `yaml:"stderr"`
	Source string `yaml:"source"`
}

// ReadNotes reads the notes of the site's data folder (site/data).
func ReadNotes(dataDir string) ([]Note, error) {
	path := filepath.Join(dataDir, "notes.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var notes []Note
	if err := yaml.Unmarshal(data, &notes); err != nil {
		return nil, fmt.Errorf("%s illisible : %v", filepath.ToSlash(path), err)
	}
	return notes, nil
}
