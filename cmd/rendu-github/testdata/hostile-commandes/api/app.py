# TODO: importer FastAPI
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

# Au démarrage, l'API écrit des commandes de workflow GitHub dans ses logs.
for line in [
    "::error file=api/app.py,line=1::PIRATE error au démarrage",
    "::add-mask::PIRATE",
    "::set-output name=pirate::PIRATE",
    "::stop-commands::pirate",
    "::pirate::",
    "##[add-mask]PIRATE",
]:
    print(line, flush=True)

# TODO: créer une instance FastAPI
app = FastAPI()

# TODO: définir une route GET /health
@app.get("/health", response_class=PlainTextResponse)
def health():
    # Ce n'est pas le JSON demandé : des commandes de workflow, une par ligne.
    return (
        "::error file=api/app.py,line=1::PIRATE error dans la réponse\n"
        "::add-mask::PIRATE\n"
        "::set-output name=pirate::PIRATE\n"
        "::warning::PIRATE\n"
        "  ::stop-commands::pirate2\n"
        "##[set-env name=PIRATE;]PIRATE\n"
        "<img src=x onerror=alert(1)> ``` | PIRATE\n"
    )
