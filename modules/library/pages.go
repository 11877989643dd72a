package library

import "glc/internal/web"

func (m *Module) registerPages(r *web.Router) {}
