"""The public status page: ``GET /t/{code}``, what the tracking QR on a receipt opens.

Server-rendered, no JavaScript, nothing personal: procedure, coarse status, due date,
what is missing, the fee and how to pay it, the receipt and payment card to download."""
