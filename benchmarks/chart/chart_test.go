package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Three rounds of two tests at two pipeline depths for redis, two redisk
// levels and a peer; the peer has no GET -P 16 result.
const sample = `redis	SET	1	1	40000
redisk-everysec	SET	1	1	20000
redisk-always	SET	1	1	10000
peer	SET	1	1	9000
redis	SET	16	1	400000
redisk-everysec	SET	16	1	100000
redisk-always	SET	16	1	80000
peer	SET	16	1	12000
redis	GET	1	1	50000
redisk-everysec	GET	1	1	25000
redisk-always	GET	1	1	26000
peer	GET	1	1	60000
redis	GET	16	1	500000
redisk-everysec	GET	16	1	50000
redisk-always	GET	16	1	40000
redis	SET	1	2	44000
redisk-everysec	SET	1	2	22000
redisk-always	SET	1	2	11000
peer	SET	1	2	9900
redis	SET	1	3	30000
redisk-everysec	SET	1	3	1000
redisk-always	SET	1	3	12000
peer	SET	1	3	8000
`

func writeSample(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "results.tsv")
	if err := os.WriteFile(p, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMedian(t *testing.T) {
	res, err := readResults(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		server, test, pipe string
		want               float64
	}{
		{"redis", "SET", "1", 40000},           // 30000 40000 44000
		{"redisk-everysec", "SET", "1", 20000}, // 1000 20000 22000
		{"peer", "GET", "1", 60000},
	} {
		if got := res.median(tc.server, tc.test, tc.pipe); got != tc.want {
			t.Errorf("median %s %s -P %s = %v, want %v", tc.server, tc.test, tc.pipe, got, tc.want)
		}
	}
	if got := strings.Join(res.servers, ","); got != "redis,redisk-everysec,redisk-always,peer" {
		t.Errorf("servers in order of appearance: %s", got)
	}
	if got := strings.Join(res.pipes, ","); got != "1,16" {
		t.Errorf("pipes: %s", got)
	}
	for _, bad := range []string{"", "redis\tSET\t1\t1\n", "redis\tSET\tx\t1\t5\n", "redis\tSET\t1\t1\tfast\n"} {
		if _, err := readResults(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestChart(t *testing.T) {
	in := writeSample(t)
	out := filepath.Join(t.TempDir(), "ratios.svg")
	if err := run([]string{"-in", in, "-out", out, "-subtitle", "a & b", "-lines", "1:= redis,0.5:half"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	// Well-formed XML with an svg root.
	d := xml.NewDecoder(strings.NewReader(svg))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
	// 3 series × 2 tests × 2 depths, less the missing peer GET -P 16.
	bars := regexp.MustCompile(`<rect [^>]*><title>`).FindAllString(svg, -1)
	if len(bars) != 11 {
		t.Errorf("%d bars, want 11", len(bars))
	}
	for _, want := range []string{
		"redisk-everysec SET (No pipelining): 20000 req/s vs redis 40000 req/s = 0.50",
		"peer GET (No pipelining): 60000 req/s vs redis 50000 req/s = 1.20",
		"redisk-always SET (Pipelining -P 16): 80000 req/s vs redis 400000 req/s = 0.20",
		">n/a<", ">Pipelining -P 16<", ">a &amp; b<", ">1 = redis<", ">0.5 half<", "stroke-dasharray",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// Deterministic: the same input gives the same bytes.
	var again strings.Builder
	if err := run([]string{"-in", in, "-subtitle", "a & b", "-lines", "1:= redis,0.5:half"}, &again); err != nil {
		t.Fatal(err)
	}
	if again.String() != svg {
		t.Error("two renderings of the same input differ")
	}
}

func TestChartSeriesAndErrors(t *testing.T) {
	in := writeSample(t)
	var out strings.Builder
	if err := run([]string{"-in", in, "-servers", "peer", "-tests", "GET"}, &out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "<title>"); n != 1 { // peer GET, no pipelining
		t.Errorf("%d bars, want 1", n)
	}
	for _, args := range [][]string{
		{},
		{"-in", in, "-base", "nobody"},
		{"-in", in, "-lines", "x:y"},
		{"-in", filepath.Join(t.TempDir(), "missing.tsv")},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
