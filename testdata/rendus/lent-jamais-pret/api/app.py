# TODO: importer FastAPI
import time

from fastapi import FastAPI

# TODO: créer une instance FastAPI
app = FastAPI()


# TODO: définir une route GET /health
@app.get("/health")
def health():
    return {"status": "ok"}


# Au chargement, l'application attend sans fin : uvicorn n'écoute jamais.
while True:
    time.sleep(3600)
