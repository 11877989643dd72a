package app

import (
	"context"

	"glc/modules/course"
	"glc/modules/portal"
)

// courseEnroller lets a programme session enrol its participants in the linked courses.
type courseEnroller struct{ svc *course.Service }

func (e courseEnroller) EnrolUsers(ctx context.Context, courseID int64, userIDs []int64) error {
	_, err := e.svc.EnrolUsers(ctx, courseID, course.EnrolInput{UserIDs: userIDs})
	return err
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
