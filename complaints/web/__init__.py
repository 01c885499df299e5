"""Web plumbing shared by the blueprints: errors, languages, headers, template helpers, guards."""
