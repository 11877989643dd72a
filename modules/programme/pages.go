package programme

import "glc/internal/web"

func (m *Module) registerPages(r *web.Router) {}
