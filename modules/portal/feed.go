package portal

import (
	"encoding/xml"
	"fmt"
	"time"
)

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string    `xml:"id"`
	Title     string    `xml:"title"`
	Updated   string    `xml:"updated"`
	Published string    `xml:"published"`
	Link      atomLink  `xml:"link"`
	Summary   string    `xml:"summary,omitempty"`
	Content   *atomText `xml:"content,omitempty"`
	Category  []struct {
		Term string `xml:"term,attr"`
	} `xml:"category,omitempty"`
}

// Feed renders the newest news items as Atom, newest first.
func (s *Service) Feed(posts []NewsPost, baseURL, title string) ([]byte, error) {
	f := atomFeed{ID: baseURL + "/news", Title: title, Author: atomPerson{Name: title},
		Links: []atomLink{{Href: baseURL + "/news/feed.atom", Rel: "self", Type: "application/atom+xml"}, {Href: baseURL + "/news", Rel: "alternate", Type: "text/html"}}}
	updated := time.Unix(0, 0).UTC()
	for _, p := range posts {
		if p.UpdatedAt.After(updated) {
			updated = p.UpdatedAt
		}
		e := atomEntry{ID: fmt.Sprintf("%s/news/%d", baseURL, p.ID), Title: p.Title, Updated: p.UpdatedAt.UTC().Format(time.RFC3339),
			Published: p.PublishedAt.UTC().Format(time.RFC3339), Link: atomLink{Href: fmt.Sprintf("%s/news/%d", baseURL, p.ID), Rel: "alternate"},
			Summary: p.Summary, Content: &atomText{Type: "html", Body: string(s.Markdown(p.Body))}}
		if p.Topic != "" {
			e.Category = append(e.Category, struct {
				Term string `xml:"term,attr"`
			}{p.Topic})
		}
		f.Entries = append(f.Entries, e)
	}
	f.Updated = updated.UTC().Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}
