"""The flows written once over every vendor's API: a stop, a status read, a paged list, and the selection inputs."""
