package quiz

import "math"

// Item statistics, as in classical test theory (and Moodle's quiz statistics):
//
//   - Facility index F = 100 * mean(x_i / m_i) over the finished attempts that hold the
//     question, where x_i is the question's score in attempt i and m_i its maximum. High F
//     means an easy question.
//   - Discrimination index D = 100 * r(x, y), the Pearson correlation between the question's
//     score x_i and the rest of the test y_i = total_i - x_i (the attempt's score without this
//     question, so the question does not correlate with itself). D near 100 means those who do
//     well on the rest of the quiz do well on this question; D <= 0 flags a question to check.
//     It is undefined (nil) with fewer than two attempts or when x or y does not vary.

// facility returns the facility index in percent.
func facility(scores, maxima []float64) *float64 {
	if len(scores) == 0 {
		return nil
	}
	sum := 0.0
	for i := range scores {
		if maxima[i] > 0 {
			sum += scores[i] / maxima[i]
		}
	}
	f := round6(100 * sum / float64(len(scores)))
	return &f
}

// pearson returns the correlation of xs and ys, or nil when it is undefined.
func pearson(xs, ys []float64) *float64 {
	n := float64(len(xs))
	if len(xs) < 2 || len(xs) != len(ys) {
		return nil
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx < 1e-12 || syy < 1e-12 {
		return nil
	}
	r := sxy / math.Sqrt(sxx*syy)
	return &r
}

// discrimination returns the discrimination index in percent.
func discrimination(scores, rest []float64) *float64 {
	r := pearson(scores, rest)
	if r == nil {
		return nil
	}
	d := round6(100 * *r)
	return &d
}

// meanSD returns the mean and (population) standard deviation.
func meanSD(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)))
}
