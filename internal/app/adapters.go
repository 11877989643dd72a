package app

import (
	"context"

	"glc/modules/course"
	"glc/modules/library"
	"glc/modules/portal"
	"glc/modules/programme"
)

// programmeCourses is the course module as the programme module sees it: a session enrols its
// participants in the linked courses, and the programme page names them.
type programmeCourses struct{ svc *course.Service }

var (
	_ programme.Enroller = programmeCourses{}
	_ programme.Courses  = programmeCourses{}
)

// EnrolUsers implements programme.Enroller.
func (e programmeCourses) EnrolUsers(ctx context.Context, courseID int64, userIDs []int64) error {
	_, err := e.svc.EnrolUsers(ctx, courseID, course.EnrolInput{UserIDs: userIDs})
	return err
}

// CourseLinks implements programme.Courses: the linked courses the caller may open.
func (e programmeCourses) CourseLinks(ctx context.Context, ids []int64, lang string) ([]programme.CourseLink, error) {
	list, err := e.svc.Visible(ctx, ids, lang)
	if err != nil {
		return nil, err
	}
	out := make([]programme.CourseLink, len(list))
	for i, c := range list {
		out[i] = programme.CourseLink{ID: c.ID, Title: c.Title, Summary: c.Summary, URL: "/courses/" + c.Slug, Language: c.Language,
			Draft: c.Status != course.StatusPublished}
	}
	return out, nil
}

// featuredCourses gives the home page the newest published courses in the visitor's language.
type featuredCourses struct{ svc *course.Service }

func (f featuredCourses) FeaturedCourses(ctx context.Context, lang string, n int) ([]portal.CourseCard, error) {
	list, err := f.svc.FeaturedCourses(ctx, lang, n)
	if err != nil {
		return nil, err
	}
	cards := make([]portal.CourseCard, len(list))
	for i, c := range list {
		cards[i] = portal.CourseCard{ID: c.ID, Title: c.Title, Summary: c.Summary, URL: "/courses/" + c.Slug}
	}
	return cards, nil
}

// libraryTopics gives the library the course topics: one admin-edited topic list for the
// whole portal (the library only reads it).
type libraryTopics struct{ svc *course.Service }

var _ library.Topics = libraryTopics{}

func (t libraryTopics) Topics(ctx context.Context, lang string) ([]library.Topic, error) {
	list, err := t.svc.AllTopics(ctx, lang)
	if err != nil {
		return nil, err
	}
	out := make([]library.Topic, len(list))
	for i, v := range list {
		out[i] = library.Topic{Slug: v.Slug, Name: v.Name, Active: v.Active}
	}
	return out, nil
}
