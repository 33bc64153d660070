"""Print the requirements of the project's dependencies and of the named extras, from pyproject.toml
alone: the images install them before the code is copied in, so that editing the code does not
reinstall them. An extra that names the project itself (kitchen-simulator[plan]) is expanded."""

import sys

import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras, wanted, seen = project.get("optional-dependencies", {}), list(sys.argv[1:]), set()
requirements = [] if "--extras-only" in wanted else list(project["dependencies"])
wanted = [w for w in wanted if w != "--extras-only"]
while wanted:
    extra = wanted.pop()
    if extra in seen:
        continue
    seen.add(extra)
    for requirement in extras[extra]:
        if requirement.startswith(project["name"] + "["):
            wanted += requirement.split("[", 1)[1].rstrip("]").split(",")
        else:
            requirements.append(requirement)
print("\n".join(requirements))
