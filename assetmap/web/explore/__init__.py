"""Finding strengths: the explore map and list, and the search by place, theme and words."""
