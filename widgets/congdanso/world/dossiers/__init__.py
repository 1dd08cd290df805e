"""The public-service portal: accounts, dossiers and their life, the catalogue of ward
procedures, and the PDF documents dossiers carry."""
