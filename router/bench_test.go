package router

import "testing"

// BenchmarkRouterFlit streams one-flit packets from four input ports to
// four outputs of a lone router (credits come back at once): the router's
// own cost per flit.
func BenchmarkRouterFlit(b *testing.B) {
	r, err := NewVCRouter(DefaultVCSpec(), Placement{X: 1, Y: 1, Width: 3, Height: 3, LocalPorts: 1})
	if err != nil {
		b.Fatal(err)
	}
	ins := []Port{West, East, South, North}
	dst := []int32{5, 3, 7, 1} // East, West, North, South
	c := int64(0)
	sent := 0
	b.ReportAllocs()
	b.ResetTimer()
	for sent < b.N {
		for k, p := range ins {
			for vc := 0; vc < 2; vc++ {
				if r.CanAccept(p, vc) {
					r.Accept(p, vc, 1, dst[k], FlagHead|FlagTail, c+1)
				}
			}
		}
		for _, d := range r.Step(c) {
			r.Credit(d.OutPort, int(d.OutVC))
			sent++
		}
		c++
	}
	b.ReportMetric(float64(sent)/float64(c), "flits/cycle")
}
