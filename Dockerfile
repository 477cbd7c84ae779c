# The site's image: the report, readable with Docker alone, at
# http://localhost:8080/. The site is built beforehand, into public/:
#
#   go tool hugo --source site --destination ../public
#   docker build -t tp-docker-site .
#   docker run --rm -p 8080:8080 tp-docker-site
#
# No Hugo or Go in the image: it serves files already built, with the lab's
# Python image (python:3.9-slim) and its built-in HTTP server.
FROM python:3.9-slim
LABEL org.opencontainers.image.title="TP Docker, vérifié" \
      org.opencontainers.image.description="Le compte rendu du TP 1 Docker, servi en HTTP sur le port 8080."
ENV PYTHONUNBUFFERED=1
COPY public/ /site/
USER 65534:65534
EXPOSE 8080
CMD ["python", "-m", "http.server", "8080", "--bind", "0.0.0.0", "--directory", "/site"]
