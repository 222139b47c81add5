"""Result files from the firearms feeds: NIBIN lead reports (`nibin`) and eTrace results (`etrace`),
each one plain function the command, the upload page and the API call. Built on the shooting
import's CSV reading (cases.importers.common); writes only through cases.services and lead_work."""
