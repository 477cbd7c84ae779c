# L'image du site : le compte rendu lisible avec Docker seul, sur
# http://localhost:8080/. Le site est construit avant, dans public/ :
#
#   go tool hugo --source site --destination ../public
#   docker build -t tp-docker-site .
#   docker run --rm -p 8080:8080 tp-docker-site
#
# Pas de Hugo ni de Go dans l'image : elle sert des fichiers déjà construits,
# avec l'image Python du TP (python:3.9-slim) et son serveur HTTP intégré.
FROM python:3.9-slim
LABEL org.opencontainers.image.title="TP Docker, vérifié" \
      org.opencontainers.image.description="Le compte rendu du TP 1 Docker, servi en HTTP sur le port 8080."
ENV PYTHONUNBUFFERED=1
COPY public/ /site/
USER 65534:65534
EXPOSE 8080
CMD ["python", "-m", "http.server", "8080", "--bind", "0.0.0.0", "--directory", "/site"]
