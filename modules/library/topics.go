package library

import (
	"context"
	"slices"
	"sort"
	"strconv"

	"glc/internal/apperr"
	"glc/internal/web"
)

// Topic is a subject that resources and series are filed under, named in one language.
type Topic struct {
	Slug string
	Name string
	// Active topics are offered for new resources; retired ones keep their name.
	Active bool
}

// Topics is the library's topic list: the app wires the course topics (one list for the
// whole portal), in their order. Without it topics are free text, shown as they are.
type Topics interface {
	Topics(ctx context.Context, lang string) ([]Topic, error)
}

// TopicList returns the topics named in lang, in their order (nil when no list is wired).
func (s *Service) TopicList(ctx context.Context, lang string) ([]Topic, error) {
	if s.topics == nil {
		return nil, nil
	}
	return s.topics.Topics(ctx, lang)
}

// checkTopic refuses a topic that is not an active topic of the list. Only a new value is
// checked, so that a resource filed under a topic retired since keeps it when edited.
func (s *Service) checkTopic(ctx context.Context, topic, before string, f apperr.Fields) error {
	if s.topics == nil || topic == "" || topic == before {
		return nil
	}
	list, err := s.topics.Topics(ctx, "en")
	if err != nil {
		return err
	}
	ok := slices.ContainsFunc(list, func(t Topic) bool { return t.Active && t.Slug == topic })
	f.Check(!ok, "topic", "must be the slug of an active topic (GET /api/v1/course-topics lists them)")
	return nil
}

// topicNames maps slugs to names.
func topicNames(list []Topic) map[string]string {
	m := make(map[string]string, len(list))
	for _, t := range list {
		m[t.Slug] = t.Name
	}
	return m
}

// TopicName is the name of a topic slug in list, or the slug itself when it has none (a
// topic typed in before the list was used).
func TopicName(list []Topic, slug string) string {
	for _, t := range list {
		if t.Slug == slug {
			return t.Name
		}
	}
	return slug
}

// Option is one choice of a filter or form select box.
type Option struct {
	Value string
	Label string
	// Lang is the language of the label when it is not the page's (a language's own name).
	Lang     string
	Count    int64
	Counted  bool
	Selected bool
}

// counts turns facet values into a map.
func counts(fs []Facet) map[string]int64 {
	m := make(map[string]int64, len(fs))
	for _, f := range fs {
		m[f.Value] = f.Count
	}
	return m
}

// filterOptions lists, in order, the values that have results (with their counts) and the
// selected value even when it has none, so that the box shows what is filtered on.
func filterOptions(order []Option, facets []Facet, selected string) []Option {
	n := counts(facets)
	seen := map[string]bool{}
	var out []Option
	for _, o := range order {
		seen[o.Value] = true
		c, has := n[o.Value]
		if !has && o.Value != selected {
			continue
		}
		o.Count, o.Counted, o.Selected = c, true, o.Value == selected
		out = append(out, o)
	}
	// Values outside the known order (a topic typed in before the list, another language):
	// after the known ones, as the facets order them, labelled by their value.
	for _, f := range facets {
		if !seen[f.Value] {
			seen[f.Value] = true
			out = append(out, Option{Value: f.Value, Label: f.Value, Count: f.Count, Counted: true, Selected: f.Value == selected})
		}
	}
	if selected != "" && !seen[selected] {
		out = append(out, Option{Value: selected, Label: selected, Counted: true, Selected: true})
	}
	return out
}

// languageOptions are the portal's languages by their own names, then other codes.
func languageOptions() []Option {
	out := make([]Option, len(web.Languages))
	for i, l := range web.Languages {
		out[i] = Option{Value: l.Code, Label: l.Name, Lang: l.Code}
	}
	return out
}

func topicOptions(list []Topic) []Option {
	out := make([]Option, len(list))
	for i, t := range list {
		out[i] = Option{Value: t.Slug, Label: t.Name}
	}
	return out
}

// yearOptions are the years that have results, newest first.
func yearOptions(facets []Facet, selected int) []Option {
	years := make([]int, 0, len(facets))
	for _, f := range facets {
		if y, err := strconv.Atoi(f.Value); err == nil {
			years = append(years, y)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	order := make([]Option, len(years))
	for i, y := range years {
		order[i] = Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y)}
	}
	sel := ""
	if selected != 0 {
		sel = strconv.Itoa(selected)
	}
	return filterOptions(order, facets, sel)
}

// formTopicOptions are the active topics for a form, plus the current value when it is not
// one of them (a retired topic, or one typed in before the list), so that saving keeps it.
func formTopicOptions(list []Topic, current string) []Option {
	var out []Option
	found := current == ""
	for _, t := range list {
		if t.Slug == current {
			found = true
		} else if !t.Active {
			continue
		}
		out = append(out, Option{Value: t.Slug, Label: t.Name, Selected: t.Slug == current})
	}
	if !found {
		out = append(out, Option{Value: current, Label: current, Selected: true})
	}
	return out
}
