"""Topic modules: one computation that one to three chapters need, named for what it computes,
the paper in its docstring's first line. Each imports the core and the regularizers only,
never another topic (tested). Chapters write `from reglab.topics import hessian`.
"""
