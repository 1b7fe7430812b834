import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

/**
 * Apache Jena's SHACL validation of many cases in one JVM (starting Java costs seconds; a case, milliseconds).
 *
 * Arguments: pairs SHAPES DATA. The report of DATA is written to DATA.report.nt; a case Jena cannot read or
 * validate leaves DATA.error with the message instead, and the others still run. Started by the tests with
 * Java's single-file source launcher, so nothing is compiled into the repository.
 */
public class ShaclBatch {
    public static void main(String[] args) throws Exception {
        Map<String, Shapes> shapes = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String data = args[i + 1];
            try {
                Shapes parsed = shapes.computeIfAbsent(args[i], file -> Shapes.parse(RDFDataMgr.loadGraph(file)));
                ValidationReport report = ShaclValidator.get().validate(parsed, RDFDataMgr.loadGraph(data));
                try (OutputStream out = new FileOutputStream(data + ".report.nt")) {
                    RDFDataMgr.write(out, report.getModel(), Lang.NTRIPLES);
                }
            } catch (RuntimeException error) {
                try (PrintStream out = new PrintStream(new FileOutputStream(data + ".error"), true, "UTF-8")) {
                    out.println(error);
                }
            }
        }
    }
}
