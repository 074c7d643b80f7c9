// Command chart draws compare.sh's results as an SVG bar chart of ratios to a
// base server (redis): one panel per pipeline depth, one group of bars per
// test, one bar per other server, and dashed reference lines (1.0 = as fast
// as redis by default).
//
//	go run ./benchmarks/chart -in benchmarks/out/compare-STAMP.tsv -out ratios.svg
//
// The input is compare.sh's raw TSV: server, test, pipeline depth, round,
// requests per second. Each bar is median(server) / median(base) over the
// rounds, the same numbers as the report's tables. The SVG is written by hand
// (no external tools) and is deterministic for a given input.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

type options struct {
	in, out, base   string
	servers, tests  []string
	title, subtitle string
	lines           []refLine
}

// refLine is a horizontal reference line at a ratio, e.g. 1.0 = parity.
type refLine struct {
	at    float64
	label string
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	o := options{}
	fs.StringVar(&o.in, "in", "", "compare.sh results TSV (server, test, pipe, round, req/s)")
	fs.StringVar(&o.out, "out", "", "SVG file to write (default stdout)")
	fs.StringVar(&o.base, "base", "redis", "the server the ratios are relative to")
	servers := fs.String("servers", "", "comma-separated series, in order (default: every server but -base, in order of appearance)")
	tests := fs.String("tests", "", "comma-separated tests, in order (default: in order of appearance)")
	fs.StringVar(&o.title, "title", "redis-benchmark throughput relative to redis-server", "chart title")
	fs.StringVar(&o.subtitle, "subtitle", "", "second line under the title (command, commit, date)")
	lines := fs.String("lines", "1:= redis", "reference lines, comma-separated AT:LABEL (e.g. '1:= redis,0.5:half')")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.in == "" {
		return errors.New("-in is required")
	}
	o.servers, o.tests = splitList(*servers), splitList(*tests)
	for _, l := range splitList(*lines) {
		at, label, _ := strings.Cut(l, ":")
		v, err := strconv.ParseFloat(at, 64)
		if err != nil {
			return fmt.Errorf("-lines: bad value %q", at)
		}
		o.lines = append(o.lines, refLine{v, label})
	}
	f, err := os.Open(o.in)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := readResults(f)
	if err != nil {
		return fmt.Errorf("%s: %w", o.in, err)
	}
	svg, err := render(data, o)
	if err != nil {
		return err
	}
	if o.out == "" {
		_, err = io.WriteString(stdout, svg)
		return err
	}
	return os.WriteFile(o.out, []byte(svg), 0o644)
}

// results holds every measured req/s by (server, test, pipe), plus the
// orders in which servers, tests and pipes first appeared.
type results struct {
	rps                   map[[3]string][]float64
	servers, tests, pipes []string
}

func readResults(r io.Reader) (*results, error) {
	res := &results{rps: map[[3]string][]float64{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %d: want 5 tab-separated fields, got %d", n, len(f))
		}
		v, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad req/s %q", n, f[4])
		}
		if _, err := strconv.Atoi(f[2]); err != nil {
			return nil, fmt.Errorf("line %d: bad pipeline depth %q", n, f[2])
		}
		k := [3]string{f[0], f[1], f[2]}
		res.rps[k] = append(res.rps[k], v)
		for _, p := range []struct {
			list *[]string
			v    string
		}{{&res.servers, f[0]}, {&res.tests, f[1]}, {&res.pipes, f[2]}} {
			if !slices.Contains(*p.list, p.v) {
				*p.list = append(*p.list, p.v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res.rps) == 0 {
		return nil, errors.New("no results")
	}
	sort.Slice(res.pipes, func(i, j int) bool {
		a, _ := strconv.Atoi(res.pipes[i])
		b, _ := strconv.Atoi(res.pipes[j])
		return a < b
	})
	return res, nil
}

// median of the rounds, like compare.sh's tables; NaN when there are none.
func (r *results) median(server, test, pipe string) float64 {
	v := slices.Clone(r.rps[[3]string{server, test, pipe}])
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f"}

func esc(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// f formats a coordinate compactly and deterministically.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func render(res *results, o options) (string, error) {
	servers := o.servers
	if len(servers) == 0 {
		for _, s := range res.servers {
			if s != o.base {
				servers = append(servers, s)
			}
		}
	}
	tests := o.tests
	if len(tests) == 0 {
		tests = res.tests
	}
	if !slices.Contains(res.servers, o.base) {
		return "", fmt.Errorf("no results for the base server %q", o.base)
	}
	if len(servers) == 0 || len(tests) == 0 {
		return "", errors.New("nothing to draw")
	}

	// Ratios, and the y range they need.
	type cell struct {
		ratio, rps, base float64
	}
	cells := map[[3]string]cell{}
	ymax := 1.0
	for _, l := range o.lines {
		ymax = max(ymax, l.at)
	}
	for _, p := range res.pipes {
		for _, t := range tests {
			base := res.median(o.base, t, p)
			for _, s := range servers {
				v := res.median(s, t, p)
				c := cell{math.NaN(), v, base}
				if !math.IsNaN(v) && !math.IsNaN(base) && base > 0 {
					c.ratio = v / base
					ymax = max(ymax, c.ratio)
				}
				cells[[3]string{s, t, p}] = c
			}
		}
	}
	step := 0.2
	switch {
	case ymax > 6:
		step = 1
	case ymax > 3:
		step = 0.5
	}
	ymax = math.Ceil(ymax*1.08/step) * step

	// Geometry.
	const (
		left, right   = 56.0, 16.0
		barW, gap     = 13.0, 14.0
		plotH         = 200.0
		panelTop      = 34.0 // panel title above the plot
		labelsH       = 78.0 // rotated test names below the plot
		titleH        = 48.0
		legendH       = 26.0
		minGroupWidth = 44.0
	)
	groupW := max(float64(len(servers))*barW+gap, minGroupWidth)
	plotW := groupW * float64(len(tests))
	width := left + plotW + right
	width = max(width, 640, left+7.5*float64(len([]rune(o.title))), left+6*float64(len([]rune(o.subtitle))))
	panelH := panelTop + plotH + labelsH
	height := titleH + legendH + panelH*float64(len(res.pipes)) + 8

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="Helvetica, Arial, sans-serif" font-size="11">`+"\n",
		f(width), f(height), f(width), f(height))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%s" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", f(left-40), esc(o.title))
	if o.subtitle != "" {
		fmt.Fprintf(&b, `<text x="%s" y="37" fill="#555555">%s</text>`+"\n", f(left-40), esc(o.subtitle))
	}
	// Legend.
	x := left
	ly := titleH + 8
	for i, s := range servers {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="12" height="12" fill="%s"/>`, f(x), f(ly), palette[i%len(palette)])
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", f(x+16), f(ly+10), esc(s))
		x += 16 + 7*float64(len([]rune(s))) + 22
	}
	for _, l := range o.lines {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333" stroke-dasharray="5,3"/>`, f(x), f(ly+6), f(x+22), f(ly+6))
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s %s</text>`+"\n", f(x+26), f(ly+10), strconv.FormatFloat(l.at, 'f', -1, 64), esc(l.label))
		x += 26 + 7*float64(len([]rune(l.label))+4) + 16
	}

	for pi, p := range res.pipes {
		top := titleH + legendH + float64(pi)*panelH
		y0 := top + panelTop // top of the plot area
		yOf := func(r float64) float64 { return y0 + plotH - r/ymax*plotH }
		ptitle := "No pipelining"
		if p != "1" {
			ptitle = "Pipelining -P " + p
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" font-weight="bold">%s</text>`+"\n", f(left), f(top+20), esc(ptitle))
		// Grid and axis.
		for i := 0; float64(i)*step <= ymax+1e-9; i++ {
			v := math.Round(float64(i)*step*100) / 100
			y := yOf(v)
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e5e5e5"/>`, f(left), f(y), f(left+plotW), f(y))
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" fill="#555555">%s</text>`+"\n", f(left-6), f(y+4), strconv.FormatFloat(v, 'f', -1, 64))
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333"/>`+"\n", f(left), f(y0), f(left), f(y0+plotH))
		fmt.Fprintf(&b, `<text transform="translate(%s %s) rotate(-90)" text-anchor="middle" fill="#555555">req/s ÷ %s req/s</text>`+"\n", f(14), f(y0+plotH/2), esc(o.base))
		// Bars.
		for ti, t := range tests {
			gx := left + float64(ti)*groupW + (groupW-float64(len(servers))*barW)/2
			for si, s := range servers {
				c := cells[[3]string{s, t, p}]
				bx := gx + float64(si)*barW
				if math.IsNaN(c.ratio) {
					fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="#999999" font-size="9">n/a</text>`+"\n", f(bx+barW/2), f(y0+plotH-3))
					continue
				}
				y := yOf(c.ratio)
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
					f(bx+1), f(y), f(barW-2), f(y0+plotH-y), palette[si%len(palette)],
					esc(fmt.Sprintf("%s %s (%s): %.0f req/s vs %s %.0f req/s = %.2f", s, t, ptitle, c.rps, o.base, c.base, c.ratio)))
				fmt.Fprintf(&b, `<text transform="translate(%s %s) rotate(-90)" font-size="9" fill="#333333">%.2f</text>`+"\n", f(bx+barW/2+3), f(y-3), c.ratio)
			}
			lx := left + (float64(ti)+0.5)*groupW
			fmt.Fprintf(&b, `<text transform="translate(%s %s) rotate(-35)" text-anchor="end">%s</text>`+"\n", f(lx+4), f(y0+plotH+14), esc(t))
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333"/>`+"\n", f(left), f(y0+plotH), f(left+plotW), f(y0+plotH))
		for _, l := range o.lines {
			y := yOf(l.at)
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333333" stroke-dasharray="5,3"/>`+"\n", f(left), f(y), f(left+plotW), f(y))
		}
	}
	b.WriteString("</svg>\n")
	return b.String(), nil
}
