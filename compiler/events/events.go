package events

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Event is one address-event.
type Event struct {
	T    int64  // timestamp, µs, as the file counts it (wraps unfolded)
	X, Y uint16 // pixel, the format's raw fields
	P    uint8  // polarity: 1 ON (brightness up), 0 OFF
}

// Format is a recording's file format.
type Format int

// The formats Read understands.
const (
	AEDAT2  Format = iota + 1 // jAER AEDAT 2.0, DAVIS address layout
	AEDAT31                   // cAER AEDAT 3.1, polarity packets
	AEDAT4                    // DV AEDAT 4.0, event packets (FlatBuffers, LZ4 or none)
	EVT2                      // Prophesee EVT 2.0 .raw
	EVT3                      // Prophesee EVT 3.0 .raw
	DAT                       // Prophesee DAT (Event2D) .dat
	ATIS                      // N-MNIST / N-Caltech101 .bin, 40-bit ATIS records
)

var formatNames = map[Format]string{
	AEDAT2: "AEDAT 2.0", AEDAT31: "AEDAT 3.1", AEDAT4: "AEDAT 4.0",
	EVT2: "EVT 2.0", EVT3: "EVT 3.0", DAT: "DAT", ATIS: "ATIS .bin",
}

func (f Format) String() string {
	if s, ok := formatNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Recording is a decoded event file.
type Recording struct {
	Format Format
	// Width and Height are the sensor size when the file states it (or
	// the format fixes it), else 0: then only the events' own maximum
	// coordinates are known (Stats).
	Width, Height int
	Events        []Event
}

// Stats summarises a recording's events.
type Stats struct {
	Events         int
	On, Off        int
	FirstT, LastT  int64 // of the first and the last event in file order
	MinT, MaxT     int64
	MaxX, MaxY     int // -1 without events
	Decreasing     int // events whose timestamp is below the one before
	DurationMicros int64
}

// Stats counts the recording's events.
func (r *Recording) Stats() Stats {
	s := Stats{Events: len(r.Events), MaxX: -1, MaxY: -1, MinT: math.MaxInt64, MaxT: math.MinInt64}
	if len(r.Events) == 0 {
		s.MinT, s.MaxT = 0, 0
		return s
	}
	s.FirstT, s.LastT = r.Events[0].T, r.Events[len(r.Events)-1].T
	prev := r.Events[0].T
	for _, e := range r.Events {
		if e.P != 0 {
			s.On++
		} else {
			s.Off++
		}
		s.MaxX, s.MaxY = max(s.MaxX, int(e.X)), max(s.MaxY, int(e.Y))
		s.MinT, s.MaxT = min(s.MinT, e.T), max(s.MaxT, e.T)
		if e.T < prev {
			s.Decreasing++
		}
		prev = e.T
	}
	s.DurationMicros = s.MaxT - s.MinT
	return s
}

// CheckSensor reports an error if an event the statistics count lies
// outside a width×height sensor.
func (s Stats) CheckSensor(width, height int) error {
	if s.Events > 0 && (s.MaxX >= width || s.MaxY >= height) {
		return fmt.Errorf("events reach x = %d, y = %d, outside the %d×%d sensor", s.MaxX, s.MaxY, width, height)
	}
	return nil
}

// ErrUnknownFormat is returned for a file Read cannot identify.
var ErrUnknownFormat = errors.New("not a known event-camera format")

// detectBytes is how much of a file's start Detect looks at: enough for a
// Prophesee header, whose evt line may follow several lines of comments.
const detectBytes = 4096

// Detect tells a recording's format from its first bytes (head, up to
// detectBytes of them) and its file name (only the headerless ATIS .bin is
// known by its name alone).
func Detect(name string, head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("#!AER-DAT2.0")):
		return AEDAT2, nil
	case bytes.HasPrefix(head, []byte("#!AER-DAT3.1")):
		return AEDAT31, nil
	case bytes.HasPrefix(head, []byte("#!AER-DAT4.0")):
		return AEDAT4, nil
	case bytes.HasPrefix(head, []byte("#!AER-DAT")):
		line, _, _ := bytes.Cut(head, []byte("\n"))
		return 0, fmt.Errorf("%w: AEDAT version %q is not read (2.0, 3.1 and 4.0 are)", ErrUnknownFormat, strings.TrimSpace(string(line[9:])))
	}
	ext := strings.ToLower(filepath.Ext(name))
	if bytes.HasPrefix(head, []byte("%")) {
		switch {
		case ext == ".dat":
			return DAT, nil
		case bytes.Contains(head, []byte("evt 2.0")), bytes.Contains(head, []byte("format EVT2")):
			return EVT2, nil
		case bytes.Contains(head, []byte("evt 3.0")), bytes.Contains(head, []byte("format EVT3")):
			return EVT3, nil
		case bytes.Contains(head, []byte("Event2D")), bytes.Contains(head, []byte("Event2d")):
			return DAT, nil
		}
		if ext == ".raw" {
			return 0, fmt.Errorf("%w: a Prophesee .raw header without an evt 2.0 or evt 3.0 line in its first %d bytes", ErrUnknownFormat, detectBytes)
		}
	}
	if ext == ".bin" {
		return ATIS, nil
	}
	return 0, fmt.Errorf("%w (AEDAT 2.0/3.1/4.0, Prophesee .raw EVT 2.0/3.0 and .dat, ATIS .bin are)", ErrUnknownFormat)
}

// ReadFile reads the recording in file path.
func ReadFile(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer f.Close()
	rec, err := Read(f, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("events: %s: %w", path, err)
	}
	return rec, nil
}

// Read decodes a recording from r; name is its file name, used only to
// recognise a headerless ATIS .bin file.
func Read(r io.Reader, name string) (*Recording, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(detectBytes)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	format, err := Detect(name, head)
	if err != nil {
		return nil, err
	}
	rec := &Recording{Format: format}
	if size := sizeOf(r); size > 0 && minEventBytes[format] > 0 {
		// Reserve room for as many events as the file can hold, so that
		// decoding does not spend its time copying a growing slice.
		rec.Events = make([]Event, 0, size/minEventBytes[format])
	}
	var decode func(*bufio.Reader, *Recording) error
	switch format {
	case AEDAT2:
		decode = decodeAEDAT2
	case AEDAT31:
		decode = decodeAEDAT31
	case AEDAT4:
		decode = decodeAEDAT4
	case EVT2:
		decode = decodeEVT2
	case EVT3:
		decode = decodeEVT3
	case DAT:
		decode = decodeDAT
	case ATIS:
		decode = decodeATIS
	}
	if err := decode(br, rec); err != nil {
		return nil, fmt.Errorf("%s: %w", format, err)
	}
	if len(rec.Events) == 0 {
		rec.Events = nil // not the reserved room
	}
	return rec, nil
}

// maxHeader bounds a text header: real ones are a few hundred bytes, so a
// megabyte of header lines means the file is not what it claims.
const maxHeader = 1 << 20

// minEventBytes is, per format, the fewest file bytes an event takes where
// that bounds the events a file of a given size can hold (EVT 3.0: a word
// per event, as in real recordings, though a vector word can carry up to
// 12; AEDAT 4.0 is compressed and has no such bound).
var minEventBytes = map[Format]int64{AEDAT2: 8, AEDAT31: 8, EVT2: 4, EVT3: 2, DAT: 8, ATIS: 5}

// sizeOf is the size of what r reads when r can tell it (a file, a
// bytes.Reader), else 0.
func sizeOf(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
}

// readHeaderLines reads the text header that starts AEDAT 2.0 ('#') and
// Prophesee ('%') files: every line whose first byte is prefix, up to the
// first line that does not start with it (left unread) or through a line
// whose text is end (when end is not ""). Prophesee's newer files close
// their header with "% end", after which the body's first byte may happen
// to be '%'; without the end line one such file in 256 would lose its
// first word. Lines come back without their prefix and surrounding space;
// read counts the bytes consumed.
func readHeaderLines(br *bufio.Reader, prefix byte, end string) (lines []string, read int64, err error) {
	for {
		b, err := br.Peek(1)
		if errors.Is(err, io.EOF) || err == nil && b[0] != prefix {
			return lines, read, nil
		}
		if err != nil {
			return lines, read, fmt.Errorf("header at byte %d: %w", read, err)
		}
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || read+int64(len(line)) > maxHeader {
			return lines, read, fmt.Errorf("header line at byte %d: longer than %d bytes, or a header over %d bytes: not a header", read, br.Size(), maxHeader)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return lines, read, fmt.Errorf("header at byte %d: %w", read, err)
		}
		read += int64(len(line))
		text := strings.TrimSpace(string(line[1:]))
		lines = append(lines, text)
		if end != "" && text == end || err != nil { // err: EOF inside the header's last line
			return lines, read, nil
		}
	}
}
